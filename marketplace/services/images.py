"""Entry images (a logo or a screenshot): checked by content, decoded and encoded again without
metadata, stored under a random name only when the save they belong to succeeds."""

from __future__ import annotations

import os
import re
import secrets
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import current_unit
from ..extensions import db
from ..i18n import format_number
from ..models import Solution, SolutionRevision
from ..permissions import can_edit, can_view
from ..vocab import Status
from .errors import ValidationFailed

# What Pillow detects -> the extension stored and the content type served.
FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
CONTENT_TYPES = dict(FORMATS.values())
NAME = re.compile(r"[0-9a-f]{32}\.(png|jpg|webp)")
MAX_PIXELS = 40_000_000  # beyond this a small file may unpack into gigabytes (decompression bomb)


def folder() -> Path:
    """Where uploaded images are kept (STORAGE_DIR): the one place that says so; every read and
    write of one, and backups, ask here."""
    return Path(current_app.config["STORAGE_DIR"])


def max_bytes() -> int:
    return int(current_app.config["IMAGE_MAX_BYTES"])


MAX_SIDE = 2400  # pixels on the longer side once stored: plenty for a logo or a screenshot


@dataclass(frozen=True)
class Prepared:
    """A checked upload, decoded in full and encoded again without its metadata."""

    data: bytes
    extension: str


def _reencode(data: bytes) -> Prepared:
    """Decode ``data`` in full and encode it again: EXIF (GPS included), comments and any bytes
    after the image are gone, a truncated image is refused, and the size is capped.

    :raises ValidationFailed: anything but a whole PNG, JPEG or WebP image.
    """
    refusal = ValidationFailed(_("Upload a PNG, JPEG or WebP image."), "image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                if image.format not in FORMATS:
                    raise refusal
                if image.width * image.height > MAX_PIXELS:
                    raise ValidationFailed(_("The image has too many pixels."), "image")
                image_format = image.format
                image.load()  # decodes every row: a truncated file fails here
                clean = ImageOps.exif_transpose(image)  # keep the orientation EXIF described
                clean.thumbnail((MAX_SIDE, MAX_SIDE))
                return Prepared(_encode(clean, image_format), FORMATS[image_format][0])
    except ValidationFailed:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise refusal from error


def _encode(image: Image.Image, image_format: str) -> bytes:
    out = BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        image.save(out, "WEBP", quality=88)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def prepare(stream: IO[bytes]) -> Prepared:
    """Check an uploaded image and make its clean copy; nothing is stored yet.

    :raises ValidationFailed: too large, empty, or not a whole PNG, JPEG or WebP image.
    """
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(
            _("The image is larger than %(mb)s MB.", mb=format_number(limit // (1024 * 1024))),
            "image",
        )
    if not data:
        raise ValidationFailed(_("The file is empty."), "image")
    return _reencode(data)


def save(prepared: Prepared) -> str:
    """Store a prepared image under a new random name; returns the name."""
    name = f"{secrets.token_hex(16)}.{prepared.extension}"
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    temporary = target / f".{name}.part"
    temporary.write_bytes(prepared.data)
    os.replace(temporary, target / name)
    return name


def delete(name: str) -> None:
    """Remove a stored image (nothing happens for a name that is not one)."""
    if NAME.fullmatch(name or ""):
        (folder() / name).unlink(missing_ok=True)


def referenced(session: Session | None = None) -> set[str]:
    """Every image name an entry or a pending revision refers to (as ``session`` sees them, by
    default the app's: a backup asks its snapshot)."""
    session = session or db.session()
    names = set(session.scalars(select(Solution.image).where(Solution.image != "")))
    for data in session.scalars(select(SolutionRevision.data)):
        if isinstance(data, dict) and data.get("image"):
            names.add(data["image"])
    return names


def delete_unreferenced_after_commit(names: Iterable[str]) -> None:
    """Once the open unit of work commits, delete those of ``names`` nothing refers to."""
    candidates = {name for name in names if name}
    if not candidates:
        return

    def forget() -> None:
        for name in candidates - referenced():
            delete(name)

    current_unit().after_commit(forget, "deleting replaced images")


def prune(older_than: timedelta = timedelta(hours=1)) -> list[str]:
    """Delete stored images no entry or revision refers to (and leftover partial files) that
    are older than ``older_than``, so a save in progress keeps its new file; returns the names."""
    target = folder()
    if not target.is_dir():
        return []
    keep = referenced()
    cutoff = time.time() - older_than.total_seconds()
    removed = []
    for path in target.iterdir():
        partial = path.name.startswith(".") and path.name.endswith(".part")
        if not (partial or NAME.fullmatch(path.name)) or path.name in keep:
            continue
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return sorted(removed)


def visibility(user: Any, name: str) -> str | None:
    """Who may load the stored image ``name``: "public" (a published entry shows it),
    "private" (only this viewer may: a draft, a pending revision, an archived entry) or None
    (not for this viewer, or no such image: a 404 either way).
    """
    if not is_stored(name):
        return None
    owners = list(db.session.scalars(select(Solution).where(Solution.image == name)))
    if any(solution.status == Status.PUBLISHED for solution in owners):
        return "public"
    if any(can_view(user, solution) for solution in owners):
        return "private"
    revisions = db.session.scalars(select(SolutionRevision))
    pending = [r for r in revisions if isinstance(r.data, dict) and r.data.get("image") == name]
    if any(can_edit(user, revision.solution) for revision in pending):
        return "private"
    return None


def is_stored(name: str) -> bool:
    """Whether ``name`` is the name of a stored image (and nothing else, e.g. no path)."""
    return bool(NAME.fullmatch(name or "")) and (folder() / name).is_file()


def content_type(name: str) -> str:
    return CONTENT_TYPES[name.rsplit(".", 1)[1]]
