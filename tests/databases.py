"""Where the test apps keep their rows: SQLite files, or databases on the PostgreSQL server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy
from flask import current_app, has_app_context
from postgres import allow_connections, create_database, drop_database, unavailable, unique_name

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

    @contextmanager
    def outage(self, app) -> Iterator[None]:
        """The app's database unreachable for the ``with`` block, then back.

        PostgreSQL: new connections refused and the open ones killed, as a restart does.
        SQLite: the file replaced by a directory SQLite cannot open (the file being unreadable),
        and the pooled connections closed, as for a worker started during the outage.
        """
        if has_app_context() and current_app._get_current_object() is app:
            db.session.remove()  # what the test holds open (a request's session ends with it)
        with app.app_context():
            engine = db.engine
        if self.postgresql:
            name = engine.url.database
            allow_connections(name, False)
            try:
                yield
            finally:
                allow_connections(name, True)
            return
        path = Path(engine.url.database)
        away = path.with_name(f"{path.name}.away")
        engine.dispose()
        path.rename(away)
        path.mkdir()
        try:
            yield
        finally:
            engine.dispose()
            shutil.rmtree(path)
            away.rename(path)

    def _create(self, name: str, template: str | None = None) -> str:
        url = create_database(name, template)
        self.made.append(name)
        return url.render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for name in self.made:
            drop_database(name)
