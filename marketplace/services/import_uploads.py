"""Files uploaded to the import page, kept between its check and its import.

The page's "Check" stores the file under a random token in the data dir (``imports/``) with who
uploaded it and its SHA-256; "Import" reads it back only for the same account, within
KEEP_SECONDS, and only when its bytes are still the ones checked. Files older than that are
deleted whenever another is kept; an imported one at once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from .errors import NotFound

KEEP_SECONDS = 3600


@dataclass(frozen=True)
class Upload:
    token: str
    name: str
    form: str  # the reader's name (import_formats.READERS)
    city: str  # slug of the city of rows naming none, or ""
    data: bytes
    challenges: tuple[str, ...] = ()  # slugs given to rows naming none


def _folder() -> Path:
    folder = Path(current_app.config["DATA_DIR"]) / "imports"
    folder.mkdir(exist_ok=True)
    return folder


def _paths(token: str) -> tuple[Path, Path]:
    folder = _folder()
    return folder / f"{token}.bin", folder / f"{token}.json"


def _prune(now: float) -> None:
    for path in _folder().iterdir():
        try:
            if now - path.stat().st_mtime > KEEP_SECONDS:
                path.unlink()
        except FileNotFoundError:  # another worker pruned it first
            continue


def keep(upload: Upload, user: Any) -> str:
    """Store ``upload`` (its token unused) for ``user``'s import; returns its token."""
    now = time.time()
    _prune(now)
    token = secrets.token_urlsafe(24)
    content, meta = _paths(token)
    content.write_bytes(upload.data)
    meta.write_text(
        json.dumps(
            {
                "user": user.id,
                "name": upload.name,
                "form": upload.form,
                "city": upload.city,
                "challenges": list(upload.challenges),
                "sha256": hashlib.sha256(upload.data).hexdigest(),
                "at": now,
            }
        ),
        encoding="utf-8",
    )
    return token


def load(user: Any, token: str) -> Upload:
    """The file ``user`` uploaded under ``token``.

    :raises NotFound: no such file for this account, expired, or changed since it was kept.
    """
    gone = NotFound(_("The checked file is no longer kept (after an hour): upload it again."))
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        raise gone
    content, meta_path = _paths(token)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        data = content.read_bytes()
    except (OSError, ValueError) as error:
        raise gone from error
    if (
        meta.get("user") != user.id
        or time.time() - meta.get("at", 0) > KEEP_SECONDS
        or hashlib.sha256(data).hexdigest() != meta.get("sha256")
    ):
        raise gone
    challenges = tuple(str(slug) for slug in meta.get("challenges", []))
    return Upload(token, meta["name"], meta["form"], meta["city"], data, challenges)


def discard(token: str) -> None:
    for path in _paths(token):
        path.unlink(missing_ok=True)
