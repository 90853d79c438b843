"""The backup archive: a gzip-compressed tar whose manifest lists every member with its sha256.

Layout (format version 1)::

    manifest.json            what the archive is (below), written first
    rows/<table>.jsonl       every table's rows, database-neutral (restores into either kind)
    database.sqlite          the SQLite online-backup copy (archives taken from SQLite)
    database.pgdump          pg_dump's custom format (PostgreSQL, when pg_dump could run)
    uploads/<name>           each image the snapshot's entries and pending changes refer to
    secret_key               the generated secret key file, when the data dir holds one
    outbox/unsent/<file>     mail the SMTP server refused, kept for `mail retry`
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = "tech4good-marketplace-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why and what to do."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def members_of(staging: Path) -> dict[str, dict[str, Any]]:
    """Size and sha256 of every file under ``staging``, by archive path."""
    members = {}
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        name = path.relative_to(staging).as_posix()
        if name != MANIFEST:
            members[name] = {"bytes": path.stat().st_size, "sha256": sha256(path)}
    return members


def write(staging: Path, manifest: dict[str, Any], target: Path) -> None:
    """Write ``staging`` (and the manifest, first) as the archive ``target``, atomically and
    readable by its owner only (it holds password hashes and the secret key)."""
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    partial = target.with_name(f".{target.name}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(staging / MANIFEST, arcname=MANIFEST)
            for name in manifest["members"]:
                tar.add(staging / name, arcname=name)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Opened:
    """An archive extracted and verified: its manifest, and the folder holding its members."""

    manifest: dict[str, Any]
    folder: Path

    def path(self, name: str) -> Path:
        return self.folder / name

    def has(self, name: str) -> bool:
        return name in self.manifest["members"]

    def names_under(self, prefix: str) -> list[str]:
        return [name for name in self.manifest["members"] if name.startswith(prefix)]


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest of the archive ``source``, checked to be one this code can read.

    :raises BackupError: not a marketplace backup, or one of a newer format.
    """
    try:
        with tarfile.open(source, mode="r:*") as tar:
            handle = tar.extractfile(MANIFEST)
            manifest = json.loads(handle.read()) if handle else None
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(f"{source} is not a marketplace backup archive ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a marketplace backup archive (no manifest).")
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise BackupError(
            f"{source} is in backup format {manifest['format_version']}, newer than this "
            f"version of the marketplace reads ({FORMAT_VERSION}): restore it with the version "
            f"that made it ({manifest.get('app_version')}) or a newer one."
        )
    return manifest


def extract(source: Path, folder: Path) -> Opened:
    """Extract ``source`` into ``folder`` and verify every member against the manifest.

    :raises BackupError: a member missing, unlisted, or with another size or checksum.
    """
    manifest = read_manifest(source)
    listed = manifest["members"]
    with tarfile.open(source, mode="r:*") as tar:
        names = {member.name for member in tar.getmembers() if member.isfile()}
        unlisted = names - set(listed) - {MANIFEST}
        if unlisted:
            raise BackupError(
                f"{source} holds files its manifest does not list: {sorted(unlisted)}"
            )
        tar.extractall(folder, filter="data")
    for name, expected in listed.items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{source} is damaged: {name} is missing.")
        if path.stat().st_size != expected["bytes"] or sha256(path) != expected["sha256"]:
            raise BackupError(f"{source} is damaged: {name} does not match its checksum.")
    return Opened(manifest, folder)


def copy_file(source: Path, target: Path, mode: int | None = None) -> None:
    """Copy ``source`` to ``target`` through a partial file, so a reader never sees half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    shutil.copyfile(source, partial)
    if mode is not None:
        partial.chmod(mode)
    os.replace(partial, target)
