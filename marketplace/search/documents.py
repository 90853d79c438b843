"""Turning an entry into the document the index holds."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..models import Solution


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
    }
    return {**fields, "stamp": stamp(fields)}


def stamp(fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(payload.encode(), digest_size=12).hexdigest()
