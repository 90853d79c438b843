"""SQLite connection rules: WAL, busy timeout, foreign keys, and BEGIN IMMEDIATE for writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

from .extensions import db

# Execution option a service sets before its first statement to take the write lock up front:
# a deferred BEGIN that reads and then writes fails under concurrent writers.
WRITE = {"sqlite_begin": "IMMEDIATE"}


def configure_sqlite(engine: Engine, busy_timeout: int) -> None:
    """Install the connection rules on an SQLite engine (other databases are left alone)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is switched off so that "begin" below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def begin_write() -> None:
    """Start the session's transaction as a write transaction (BEGIN IMMEDIATE on SQLite).

    A read transaction already open (a request that loaded the user, say) is ended first: its
    objects reload inside the write transaction, so what the service checks is current.
    """
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() must come before the first change")
        session.commit()
    session.connection(execution_options=WRITE)
