"""Turning an entry into the document the index holds."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..markup import plain_text
from ..models import Solution

# Characters of each longer text that the meaning text takes (the encoder reads its first
# PASSAGE_TOKENS tokens, so more would only be cut there).
_MEANING_CHARS = {"description": 600, "impact": 240, "lessons": 240}


def _keywords(values) -> str:
    return " ".join(sorted({str(value) for value in values if value}))


def document(solution: Solution) -> dict[str, Any]:
    """The index document of a published entry (facet values are slugs and codes).

    ``stamp`` fingerprints everything else, so `search check` can tell a stale document.
    """
    city = solution.city
    fields = {
        "id": str(solution.id),
        "slug": solution.slug,
        "title": solution.title,
        "summary": solution.summary,
        "description": solution.description,
        "impact": solution.impact,
        "lessons": solution.lessons,
        "city_name": city.name,
        "provider": solution.provider,
        "title_words": solution.title,
        # Title and summary words: postings for every body word doubled rebuild time. Body words
        # that two entries use are listed beside the index at rebuild instead (spelling.py).
        "spell": " ".join((solution.title, solution.summary)),
        "published": solution.published_at,
        "title_sort": solution.title.casefold(),
        "track": _keywords(track.slug for track in solution.tracks),
        "challenge": _keywords(challenge.slug for challenge in solution.challenges),
        "service": _keywords(service.slug for service in solution.services),
        "country": city.country,
        "city": city.slug,
        "kind": solution.kind,
        "maturity": solution.maturity,
        "sdg": _keywords(sdg.number for sdg in solution.sdgs),
        "cost": solution.cost_band,
        "language": _keywords(solution.languages),
        "meaning": meaning_hash(meaning_text(solution)),
    }
    return {**fields, "stamp": stamp(fields)}


def meaning_text(solution: Solution) -> str:
    """What the sentence encoder reads of an entry: title, summary, then the start of the rest."""
    parts = [solution.title, solution.summary]
    for name, limit in _MEANING_CHARS.items():
        text = plain_text(getattr(solution, name))
        if text:
            parts.append(text[:limit].rsplit(" ", 1)[0] if len(text) > limit else text)
    return "\n".join(part.strip() for part in parts if part and part.strip())


def meaning_hash(text: str) -> int:
    """A non-zero 64-bit fingerprint of a meaning text (0 is the index column's "none")."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") | 1


def stamp(fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(payload.encode(), digest_size=12).hexdigest()
