"""Addresses from names: "Łódź smart bins" -> ``lodz-smart-bins``, unique within a table."""

from __future__ import annotations

from typing import Any

from slugify import slugify as _transliterate
from sqlalchemy import select

from ..extensions import db

SLUG_MAX = 80


def slugify(text: str, fallback: str = "entry") -> str:
    """Lower-case ASCII words joined by hyphens; letters of every European script transliterated
    (Ł -> l, Ø -> o, ß -> ss, Ж -> zh), not dropped."""
    return _transliterate(text or "", max_length=SLUG_MAX, word_boundary=True) or fallback


def unique_slug(model: type[Any], text: str, own_id: int | None = None) -> str:
    """``slugify(text)``, with "-2", "-3", ... added when another row of ``model`` has it."""
    base = slugify(text)
    query = select(model.slug).where((model.slug == base) | model.slug.like(f"{base}-%"))
    if own_id is not None:
        query = query.where(model.id != own_id)
    taken = set(db.session.scalars(query))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
