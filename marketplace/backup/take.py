"""Taking a backup: one consistent snapshot of the rows, the images they name and the data dir's
own files (the search index is derived: a restore rebuilds it)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Connection, create_engine
from sqlalchemy.orm import Session

from ..config import SECRET_FILE
from ..extensions import db
from ..mail import OUTBOX, UNSENT
from ..services import images
from . import archive, native, rows, schema

# Snapshots taken again when an image the snapshot names was deleted before it could be copied
# (a later save replaced it); after the last one the backup goes ahead and lists what is missing.
ATTEMPTS = 3

Progress = Callable[[str], None]


@dataclass
class Backup:
    """What a backup wrote: the archive, its manifest, and anything the operator should know."""

    path: Path
    manifest: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def target_path(path: Path) -> Path:
    """``path`` itself, or a new time-stamped file name inside it when it is a directory."""
    if path.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return path / f"marketplace-{stamp}.tar.gz"
    return path


def create(path: Path, progress: Progress = lambda _line: None) -> Backup:
    """Write a backup archive to ``path`` (a file name, or a directory to put a new one in).

    :raises archive.BackupError: the folder of ``path`` does not exist.
    """
    target = target_path(path).resolve()
    if not target.parent.is_dir():
        raise archive.BackupError(f"{target.parent} does not exist.")
    staging = Path(tempfile.mkdtemp(prefix=".backup-", dir=target.parent))
    notes: list[str] = []
    try:
        for attempt in range(1, ATTEMPTS + 1):
            manifest, missing = _snapshot(staging, progress, notes)
            if not missing:
                break
            if attempt < ATTEMPTS:
                progress(f"{len(missing)} image(s) changed during the backup: taking it again.")
                shutil.rmtree(staging)
                staging.mkdir()
                notes.clear()
        if missing:
            notes.append(
                f"{len(missing)} image(s) the entries refer to are missing from "
                f"{images.folder()} and are not in the backup: {', '.join(sorted(missing))}"
            )
            manifest["missing_images"] = sorted(missing)
        manifest["members"] = archive.members_of(staging)
        progress(f"Writing {target}...")
        archive.write(staging, manifest, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Backup(target, manifest, notes)


def _snapshot(
    staging: Path, progress: Progress, notes: list[str]
) -> tuple[dict[str, Any], set[str]]:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        progress("Copying the SQLite database (online backup API)...")
        copy = staging / "database.sqlite"
        with engine.connect() as connection:
            native.sqlite_copy(connection, copy)
        reader = create_engine(f"sqlite:///file:{copy}?mode=ro&uri=true")
        try:
            with reader.connect() as connection:
                return _from_snapshot(connection, staging, progress, {"native": copy.name})
        finally:
            reader.dispose()
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # One snapshot for everything below: pg_dump joins it, the export reads in it.
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            extra = _pg_dump(connection, snapshot, staging, progress, notes)
            return _from_snapshot(connection, staging, progress, extra)


def _pg_dump(
    connection: Connection, snapshot: str, staging: Path, progress: Progress, notes: list[str]
) -> dict[str, Any]:
    server = native.server_major(connection)
    described: dict[str, Any] = {"server_major": server, "native": None}
    program = native.tool("pg_dump")
    if program is None:
        notes.append("pg_dump not found: the backup holds the logical export only.")
        return described
    major = native.tool_major(program)
    if major < server:
        notes.append(
            f"pg_dump {major} cannot dump a PostgreSQL {server} server (set "
            "MARKETPLACE_POSTGRES_BIN_DIR to a newer client's bin folder): the backup holds the "
            "logical export only."
        )
        return described
    progress(f"Dumping the PostgreSQL database (pg_dump {major})...")
    native.pg_dump(program, connection.engine.url, snapshot, staging / "database.pgdump")
    return {**described, "native": "database.pgdump", "pg_dump_major": major}


def _from_snapshot(
    connection: Connection, staging: Path, progress: Progress, extra: dict[str, Any]
) -> tuple[dict[str, Any], set[str]]:
    """Export the rows ``connection`` sees and copy the files they refer to."""
    revision = schema.revision_of(connection)
    progress("Exporting the rows...")
    tables = rows.export(connection, staging / "rows")
    total = sum(table["rows"] for table in tables.values())
    progress(f"Exported {total} rows from {len(tables)} tables.")
    wanted: set[str] = set()
    if "image" in tables.get("solution", {}).get("columns", {}):  # not before images existed
        with Session(bind=connection) as session:
            wanted = images.referenced(session)
    copied, missing = _copy_images(wanted, staging / "uploads")
    progress(f"Copied {copied} image(s).")
    files = _copy_data_files(staging)
    manifest = {
        "format": archive.FORMAT,
        "format_version": archive.FORMAT_VERSION,
        "app_version": metadata.version("tech4good-marketplace"),
        "schema_revision": revision,
        "database": connection.dialect.name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": tables,
        "images": copied,
        **files,
        **extra,
    }
    return manifest, missing


def _copy_images(names: set[str], target: Path) -> tuple[int, set[str]]:
    source, missing, copied = images.folder(), set(), 0
    target.mkdir(parents=True, exist_ok=True)
    for name in sorted(names):
        if not images.NAME.fullmatch(name):
            continue
        try:
            shutil.copyfile(source / name, target / name)
            copied += 1
        except FileNotFoundError:
            missing.add(name)
    return copied, missing


def _copy_data_files(staging: Path) -> dict[str, Any]:
    """The data dir's own files that nothing can make again: the generated secret key and the
    mail kept for `mail retry`."""
    data_dir = Path(current_app.config["DATA_DIR"])
    secret = data_dir / SECRET_FILE
    if secret.is_file():
        shutil.copyfile(secret, staging / SECRET_FILE)
    unsent = data_dir / OUTBOX / UNSENT
    kept = sorted(p for p in unsent.glob("*.eml") if p.is_file()) if unsent.is_dir() else []
    for message in kept:
        archive.copy_file(message, staging / OUTBOX / UNSENT / message.name)
    return {"secret_key": secret.is_file(), "unsent_mail": len(kept)}
