"""Entry images (a logo or a screenshot): checked by content, stored under a random name."""

from __future__ import annotations

import os
import re
import secrets
import warnings
from io import BytesIO
from pathlib import Path
from typing import IO

from flask import current_app
from PIL import Image, UnidentifiedImageError

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
    return Path(current_app.config["DATA_DIR"]) / "uploads"


def max_bytes() -> int:
    return int(current_app.config["IMAGE_MAX_BYTES"])


def _detect(data: bytes) -> str:
    """The format of ``data`` if it is a whole PNG, JPEG or WebP image.

    :raises ValidationFailed: anything else, whatever its file name says.
    """
    refusal = ValidationFailed("Upload a PNG, JPEG or WebP image.", "image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                if image.format not in FORMATS:
                    raise refusal
                if image.width * image.height > MAX_PIXELS:
                    raise ValidationFailed("The image has too many pixels.", "image")
                image.verify()
                return image.format
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


def store(stream: IO[bytes]) -> str:
    """Check an uploaded image and keep it; returns the stored name.

    :raises ValidationFailed: too large, or not a PNG, JPEG or WebP image.
    """
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(f"The image is larger than {limit // (1024 * 1024)} MB.", "image")
    if not data:
        raise ValidationFailed("The file is empty.", "image")
    extension = FORMATS[_detect(data)][0]
    name = f"{secrets.token_hex(16)}.{extension}"
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    temporary = target / f".{name}.part"
    temporary.write_bytes(data)
    os.replace(temporary, target / name)
    return name


def is_stored(name: str) -> bool:
    """Whether ``name`` is the name of a stored image (and nothing else, e.g. no path)."""
    return bool(NAME.fullmatch(name or "")) and (folder() / name).is_file()


def content_type(name: str) -> str:
    return CONTENT_TYPES[name.rsplit(".", 1)[1]]
