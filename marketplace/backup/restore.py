"""Restoring a backup into an empty database and data dir, of either database kind."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import inspect

from ..config import SECRET_FILE
from ..extensions import db
from ..mail import OUTBOX, UNSENT
from ..services import images
from . import archive, native, rows, schema
from .archive import BackupError

Progress = Callable[[str], None]


@dataclass
class Restored:
    """What a restore did: the archive's manifest, how the rows came in, and notes."""

    manifest: dict[str, Any]
    method: str
    notes: list[str] = field(default_factory=list)


def restore(source: Path, progress: Progress = lambda _line: None) -> Restored:
    """Restore the archive ``source`` into this app's database and data dir, then bring the
    schema up to this code's head. The search index is not touched: rebuild it afterwards.

    :raises BackupError: the archive is damaged, not a backup, or from a newer schema; or the
        database or the uploads folder already holds data.
    """
    manifest = archive.read_manifest(source)
    revision = manifest["schema_revision"]
    if not schema.is_known(revision):
        raise BackupError(
            f"The backup's schema revision {revision} is unknown to this version of the "
            f"marketplace: it was made by a newer one ({manifest['app_version']}). Install that "
            "version or a newer one to restore it."
        )
    _refuse_unless_empty()
    data_dir = Path(current_app.config["DATA_DIR"])
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=data_dir) as folder:
        opened = archive.extract(source, Path(folder))
        progress(f"Checked {len(manifest['members'])} files against their sha256 checksums.")
        copied: list[Path] = []
        try:
            _drop_tables()  # checked empty: left by a `db upgrade`, if any
            method, notes = _load_rows(opened, progress)
            schema.upgrade("head")
            _check_counts(manifest, revision)
            _restore_files(opened, progress, copied)
        except BaseException:
            _undo(copied)  # as it was found: empty, so the restore can simply be run again
            raise
    if manifest.get("secret_key"):
        notes.append("The secret key was restored: restart the web processes to use it.")
    return Restored(manifest, method, notes)


def _refuse_unless_empty() -> None:
    with db.engine.connect() as connection:
        filled = schema.tables_with_rows(connection)
    if filled:
        shown = ", ".join(filled[:5]) + (", ..." if len(filled) > 5 else "")
        raise BackupError(
            f"The target database already holds data (tables {shown}): a restore goes only into "
            "an empty database. Create a new one (PostgreSQL: createdb; SQLite: a new data dir "
            "or MARKETPLACE_DATABASE_URL) and restore there."
        )
    folder = images.folder()
    if folder.is_dir() and any(images.NAME.fullmatch(p.name) for p in folder.iterdir()):
        raise BackupError(
            f"{folder} already holds uploaded images: restore into an empty data dir."
        )


def _load_rows(opened: archive.Opened, progress: Progress) -> tuple[str, list[str]]:
    """Bring the archive's rows in, natively when the archive holds this database's own copy
    and its tool is here, else from the logical export; returns how, and notes."""
    manifest, kind, notes = opened.manifest, db.engine.dialect.name, []
    copy = manifest.get("native")
    if copy and manifest["database"] == kind == "sqlite":
        progress("Restoring the SQLite copy (online backup API)...")
        native.sqlite_restore(opened.path(copy), db.engine)
        _stamp_if_unversioned(manifest["schema_revision"])
        return "sqlite copy", notes
    if copy and manifest["database"] == kind == "postgresql":
        program = native.tool("pg_restore")
        if program and native.tool_major(program) >= manifest.get("pg_dump_major", 0):
            progress("Restoring the PostgreSQL dump (pg_restore)...")
            native.pg_restore(program, db.engine.url, opened.path(copy))
            _stamp_if_unversioned(manifest["schema_revision"])
            return "pg_restore", notes
        notes.append("No pg_restore that reads this dump: restored from the logical export.")
    progress(f"Creating the schema at revision {manifest['schema_revision']}...")
    schema.upgrade(manifest["schema_revision"])
    progress("Loading the rows...")
    with db.engine.begin() as connection:
        rows.load(
            connection,
            opened.path("rows"),
            manifest["tables"],
            lambda table, count: progress(f"  {table}: {count} rows"),
        )
    return "logical export", notes


def _stamp_if_unversioned(revision: str) -> None:
    with db.engine.connect() as connection:
        versioned = rows.VERSION_TABLE in inspect(connection).get_table_names()
    if not versioned:
        schema.stamp(revision)


def _check_counts(manifest: dict[str, Any], revision: str) -> None:
    """Every table holds the rows the manifest counted (a migration since may have moved some:
    only checked when the archive is at this code's head)."""
    if revision != schema.head():
        return
    expected = {name: table["rows"] for name, table in manifest["tables"].items()}
    with db.engine.connect() as connection:
        found = schema.row_counts(connection, list(expected))
    wrong = {name: (found[name], n) for name, n in expected.items() if found[name] != n}
    if wrong:
        raise BackupError(f"The restored database does not hold the archived rows: {wrong}")


def _restore_files(opened: archive.Opened, progress: Progress, copied: list[Path]) -> None:
    """Copy the archived files into place, each one's target added to ``copied`` first."""
    data_dir = Path(current_app.config["DATA_DIR"])
    targets = [(name, images.folder() / Path(name).name) for name in opened.names_under("uploads/")]
    uploads = len(targets)
    targets += [
        (name, data_dir / OUTBOX / UNSENT / Path(name).name)
        for name in opened.names_under(f"{OUTBOX}/{UNSENT}/")
    ]
    for name, target in targets:
        copied.append(target)
        archive.copy_file(opened.path(name), target)
    progress(f"Restored {uploads} image(s).")
    if opened.has(SECRET_FILE):  # replaces the generated one; left in place by an undo
        archive.copy_file(opened.path(SECRET_FILE), data_dir / SECRET_FILE, mode=0o600)


def _drop_tables() -> None:
    with db.engine.begin() as connection:
        schema.drop_tables(connection)


def _undo(copied: list[Path]) -> None:
    """After a failed restore: drop what came in, so the target is empty again."""
    db.session.remove()
    db.engine.dispose()  # no connection of the failed attempt holds a lock or a transaction
    _drop_tables()
    for path in copied:
        path.unlink(missing_ok=True)
