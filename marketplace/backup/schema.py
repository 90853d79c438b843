"""Schema revisions (Alembic) of a database and of an archive, and what a target database holds."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import Connection, MetaData, column, func, inspect, literal, select, table

from .rows import VERSION_TABLE

# Tables whose rows a migration writes (a counter starting at 0): a database holding only those
# is as empty as a new one after `db upgrade`.
WRITTEN_BY_MIGRATIONS = frozenset({VERSION_TABLE, "vocabulary_revision"})


def _config():
    return current_app.extensions["migrate"].migrate.get_config()


def head() -> str:
    """The newest schema revision this code's migrations know."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def is_known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(_config()).get_revision(revision) is not None
    except CommandError:
        return False


def revision_of(connection: Connection) -> str:
    """The revision Alembic recorded in the database; a database made from the models without
    Alembic (tests, `db.create_all`) is at the head of this code's migrations."""
    if VERSION_TABLE not in inspect(connection).get_table_names():
        return head()
    version = table(VERSION_TABLE, column("version_num"))
    found = connection.execute(select(version.c.version_num)).scalar()
    return found or head()


def upgrade(revision: str = "head") -> None:
    command.upgrade(_config(), revision)


def stamp(revision: str) -> None:
    command.stamp(_config(), revision)


def tables_with_rows(connection: Connection) -> list[str]:
    """The database's tables that hold rows (those migrations write aside)."""
    names = set(inspect(connection).get_table_names()) - WRITTEN_BY_MIGRATIONS
    return [
        name
        for name in sorted(names)
        if connection.execute(select(literal(1)).select_from(table(name)).limit(1)).first()
    ]


def drop_tables(connection: Connection) -> None:
    """Drop every table of the (checked empty) database, so a restore starts from nothing."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    metadata.drop_all(bind=connection)


def row_counts(connection: Connection, names: list[str]) -> dict[str, int]:
    return {
        name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
        for name in names
    }
