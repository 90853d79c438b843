"""Turning an entry into the document the index holds: every language version of its text.

Each text field holds the original version first, then each translation, each opened by its
language's marker (languages.mark), so the field's analyser reads each in its own language. An
entry is one document whatever number of versions it has: it is listed once, and facet counts
count entries. Stored title and summary are the original's (what `duplicates` and autocomplete
read); cards take the version shown from the database (services/catalogue_search.py).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..markup import plain_text
from ..models import Solution
from ..models.solution import TRANSLATABLE
from . import languages
from .languages import mark, normalise
from .schema import VERSION_BITS, VERSIONED_FIELDS

# Characters of each longer text that the meaning text takes (the encoder reads its first
# PASSAGE_TOKENS tokens, so more would only be cut there).
_MEANING_CHARS = {"description": 600, "impact": 240, "lessons": 240}


def _keywords(values) -> str:
    return " ".join(sorted({str(value) for value in values if value}))


def versions(solution: Solution) -> list[tuple[str, Any]]:
    """(language, version) of an entry: the original (the entry itself), then its translations."""
    original = normalise(solution.language) or "en"
    found = [(original, solution)]
    seen = {original}
    for translation in solution.translations:
        language = normalise(translation.language)
        if language and language not in seen:
            seen.add(language)
            found.append((language, translation))
    return found


def version_counts(text: dict[str, str]) -> int:
    """How many versions each of VERSIONED_FIELDS holds in ``text`` (its marked fields), packed
    VERSION_BITS bits a field."""
    packed = 0
    for i, name in enumerate(VERSIONED_FIELDS):
        count = min(languages.count(text.get(name) or ""), (1 << VERSION_BITS) - 1)
        packed |= count << (VERSION_BITS * i)
    return packed


def _marked(pairs: list[tuple[str, Any]], name: str) -> str:
    """One field of every version, each marked with its language; "" when all are empty."""
    return "\n".join(
        mark(language, text) for language, version in pairs if (text := getattr(version, name))
    )


def document(solution: Solution) -> dict[str, Any]:
    """The index document of a published entry (facet values are slugs and codes).

    ``stamp`` fingerprints everything else, so `search check` can tell a stale document.
    """
    city = solution.city
    pairs = versions(solution)
    text = {name: _marked(pairs, name) for name in TRANSLATABLE}
    fields = {
        "id": str(solution.id),
        "slug": solution.slug,
        **text,
        "_stored_title": solution.title,
        "_stored_summary": solution.summary,
        "city_name": city.name,
        "provider": solution.provider,
        "title_words": " ".join(version.title for _, version in pairs),
        # Title and summary words: postings for every body word doubled rebuild time. Body words
        # that two entries use are listed beside the index at rebuild instead (spelling.py).
        "spell": "\n".join(
            mark(language, f"{version.title} {version.summary}") for language, version in pairs
        ),
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
        "versions": _keywords(language for language, _ in pairs),
        "version_counts": version_counts(text),
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
