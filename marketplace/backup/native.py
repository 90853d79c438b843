"""Each database's own copy: SQLite's online backup API, PostgreSQL's pg_dump and pg_restore."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from flask import current_app
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from .archive import BackupError


def sqlite_path(engine: Engine) -> Path:
    return Path(engine.url.database or "").resolve()


def sqlite_copy(connection: Connection, target: Path) -> None:
    """Copy the SQLite database ``connection`` is open on into the new file ``target``.

    The backup API copies every page in one step under a read lock, so the copy is one committed
    state however many writers are busy (in WAL mode they are not even held up). The copy is
    switched to a rollback journal so it is one self-contained file.
    """
    source = connection.connection.driver_connection
    destination = sqlite3.connect(target)
    try:
        source.backup(destination, pages=-1)
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()


def sqlite_restore(source: Path, engine: Engine) -> None:
    """Write the SQLite file ``source`` into the database of ``engine`` (through the backup API,
    so the target's WAL and any open reader stay coherent)."""
    engine.dispose()
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(sqlite_path(engine))
    try:
        origin.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        origin.close()


def tool(name: str) -> str | None:
    """The path of the PostgreSQL client ``name`` (MARKETPLACE_POSTGRES_BIN_DIR, else PATH)."""
    folder = current_app.config["POSTGRES_BIN_DIR"]
    if folder is None:
        return shutil.which(name)
    path = Path(folder) / name
    return str(path) if os.access(path, os.X_OK) else None


def tool_major(path: str) -> int:
    """The major version of a PostgreSQL client program (``pg_dump (PostgreSQL) 15.20`` -> 15)."""
    output = subprocess.run(  # noqa: S603 (the configured PostgreSQL client, no shell)
        [path, "--version"], capture_output=True, text=True, check=True
    )
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", output.stdout)
    return int(match.group(1)) if match else 0


def server_major(connection: Connection) -> int:
    return int(connection.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000


def _conninfo(value: object) -> str:
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq connection string of ``url`` and the environment carrying its password (never
    on the command line, where other users of the machine could read it)."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    names = {"host": "host", "port": "port", "database": "dbname", "username": "user"}
    parts = {
        names[key]: value for key, value in url.translate_connect_args().items() if key in names
    }
    for key, value in url.query.items():
        parts[key] = value if isinstance(value, str) else value[-1]
    return " ".join(f"{key}={_conninfo(value)}" for key, value in parts.items()), environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    # The configured PostgreSQL client with arguments built here, no shell.
    result = subprocess.run(command, capture_output=True, text=True, env=environment)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def pg_dump(program: str, url: URL, snapshot: str, target: Path) -> None:
    """Dump the database at ``url`` as of the exported ``snapshot`` (custom format)."""
    address, environment = _libpq(url)
    _run(
        [program, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
         f"--file={target}", f"--dbname={address}"],
        environment,
    )  # fmt: skip


def pg_restore(program: str, url: URL, source: Path) -> None:
    """Load the custom-format dump ``source`` into the database at ``url``, all or nothing."""
    address, environment = _libpq(url)
    _run(
        [program, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
         f"--dbname={address}", str(source)],
        environment,
    )  # fmt: skip
