"""Where the test apps keep their rows: SQLite files, or databases on the PostgreSQL server."""

from __future__ import annotations

import sqlalchemy
from postgres import create_database, drop_database, unavailable, unique_name

from marketplace.extensions import db

__all__ = ["Databases", "release", "unavailable"]


def release(app) -> None:
    """Close the app's database connections, once its last app context (whose teardown may still
    query the outbox) has ended: a connection left open keeps a PostgreSQL template busy."""
    with app.app_context():
        engine = db.engine
    engine.dispose()


# Ids start at 1 again in each test, as in a new SQLite file.
RESTART_SEQUENCES = (
    "SELECT setval(quote_ident(sequencename)::regclass, 1, false)"
    " FROM pg_sequences WHERE schemaname = 'public'"
)


class Databases:
    """Where the test apps of this process keep their rows.

    SQLite: the file in each data dir, copied with it. PostgreSQL: a database per template (the
    empty schema, the demo catalogue) made once per process; each copy is a database of its own
    (CREATE DATABASE ... TEMPLATE), except for the plain ``app`` of a test, which reuses one
    scratch database emptied first (a copy costs a fifth of a second, emptying a fiftieth).
    Every database made is dropped when the process ends.
    """

    def __init__(self, kind: str):
        self.postgresql = kind == "postgresql"
        self.prefix = unique_name()
        self.made: list[str] = []
        self._scratch: str | None = None

    def template(self, name: str) -> dict:
        """Settings for an app that fills the template ``name``."""
        if not self.postgresql:
            return {}
        return {"DATABASE_URL": self._create(f"{self.prefix}_{name}")}

    def copy(self, template: str) -> dict:
        """Settings for an app on a new copy of the template ``template``."""
        if not self.postgresql:
            return {}
        name = f"{self.prefix}_{len(self.made)}"
        return {"DATABASE_URL": self._create(name, f"{self.prefix}_{template}")}

    def blank(self) -> dict:
        """Settings for an app on a new database without tables (drop it with ``discard``)."""
        if not self.postgresql:
            return {}
        return {"DATABASE_URL": self._create(f"{self.prefix}_{len(self.made)}")}

    def scratch(self) -> dict:
        """Settings for an app on the empty scratch database of this process."""
        if not self.postgresql:
            return {}
        if self._scratch is None:
            self._scratch = self.copy("empty")["DATABASE_URL"]
        else:
            # DELETE, not TRUNCATE: on tables this small it is twenty times faster.
            engine = sqlalchemy.create_engine(self._scratch)
            with engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())
                connection.exec_driver_sql(RESTART_SEQUENCES)
            engine.dispose()
        return {"DATABASE_URL": self._scratch}

    def discard(self, settings: dict) -> None:
        """Drop the copy ``settings`` name (made by ``copy``) now, not when the process ends."""
        if url := settings.get("DATABASE_URL"):
            name = sqlalchemy.make_url(url).database
            drop_database(name)
            self.made.remove(name)

    def _create(self, name: str, template: str | None = None) -> str:
        url = create_database(name, template)
        self.made.append(name)
        return url.render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for name in self.made:
            drop_database(name)
