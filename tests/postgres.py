"""The PostgreSQL server the second test run uses: reachability, and databases made and dropped.

``python tests/postgres.py unavailable`` prints why the PostgreSQL suite cannot run and exits 0, or
exits 1 when the server answers (the Makefile runs the suite then).
"""

from __future__ import annotations

import os
import sys
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url

# The server of the development and CI machines (trust authentication, database `test`);
# MARKETPLACE_TEST_POSTGRESQL points the suite at another one.
DEFAULT_URL = "postgresql+psycopg://root@127.0.0.1:5432/test"


def server_url() -> URL:
    return make_url(os.environ.get("MARKETPLACE_TEST_POSTGRESQL", DEFAULT_URL))


def _admin() -> Engine:
    return create_engine(server_url(), isolation_level="AUTOCOMMIT", connect_args=_TIMEOUT)


_TIMEOUT = {"connect_timeout": 3}


def unavailable() -> str | None:
    """Why the PostgreSQL suite cannot run here, or None when it can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the psycopg driver is not installed (pip install -e '.[postgres]')"
    url = server_url()
    try:
        engine = _admin()
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # what the driver says is the reason
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"no PostgreSQL server at {url.render_as_string(hide_password=True)} ({first})"
    return None


def unique_name(prefix: str = "mp_test") -> str:
    """A database name no other run on this server uses."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def create_database(name: str, template: str | None = None) -> URL:
    """Create database ``name`` (a copy of ``template`` when given); returns its URL."""
    engine = _admin()
    with engine.connect() as connection:
        like = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{like}'))
    engine.dispose()
    # Tests need no durability: commits that do not wait for the disk make the suite faster.
    return (
        server_url().set(database=name).update_query_dict({"options": "-c synchronous_commit=off"})
    )


def drop_database(name: str) -> None:
    """Drop database ``name`` if it exists, closing connections still open on it."""
    engine = _admin()
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def allow_connections(name: str, allowed: bool) -> None:
    """Let database ``name`` accept connections again, or refuse new ones and end the open ones."""
    engine = _admin()
    with engine.connect() as connection:
        connection.execute(
            text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        )
        if not allowed:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
    engine.dispose()


if __name__ == "__main__" and sys.argv[1:] == ["unavailable"]:
    reason = unavailable()
    if reason:
        print(reason)
    sys.exit(0 if reason else 1)
