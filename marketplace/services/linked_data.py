"""schema.org JSON-LD of entry and city pages, built from the open-data records (records.py).

An entry is a ``SoftwareApplication`` when it is a solution under a software licence (the
licences the entry form offers for code: LICENCES_OF_SOFTWARE), else a ``CreativeWork``: the
ICC's "solutions" are as often a procurement method, a bond or a cargo-bike scheme as a program,
and a software licence is the one thing the entry says that only software carries. Only
published data: the page of an unpublished entry carries none (the view asks ``entry``).
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import i18n, markup
from ..models import City, Solution
from ..vocab import LICENCES, Status
from . import records

CONTEXT = "https://schema.org"
# SPDX identifiers of software licences among vocab.LICENCES (the others are for content and data).
LICENCES_OF_SOFTWARE = frozenset(
    {
        "EUPL-1.2",
        "Apache-2.0",
        "MIT",
        "GPL-3.0-only",
        "AGPL-3.0-only",
        "LGPL-3.0-only",
        "MPL-2.0",
        "BSD-3-Clause",
    }
)


def licence_url(licence: str | None) -> str | None:
    """The SPDX page of a licence the entry form offers; None for "proprietary" or none."""
    if not licence or licence == "proprietary" or licence not in LICENCES:
        return None
    return f"https://spdx.org/licenses/{licence}.html"


def schema_type(record: dict) -> str:
    if record["kind"] == "solution" and record["licence"] in LICENCES_OF_SOFTWARE:
        return "SoftwareApplication"
    return "CreativeWork"


def _place(ref: dict, language: str) -> dict:
    """A city of a record (records.city_ref) as a schema.org City in its country."""
    return {
        "@type": "City",
        "@id": ref["url"] + "#city",
        "name": ref["name"],
        "url": ref["url"],
        "containedInPlace": {
            "@type": "Country",
            "name": i18n.country_name(ref["country"], language),
            "identifier": ref["country"],
        },
    }


def _council(ref: dict, language: str) -> dict:
    """The city as the organisation that writes its entries."""
    return {
        "@type": "GovernmentOrganization",
        "@id": ref["url"] + "#organization",
        "name": ref["name"],
        "url": ref["url"],
        "areaServed": _place(ref, language),
    }


def _term(ref: dict, term_set: str, set_name: str) -> dict:
    return {
        "@type": "DefinedTerm",
        "@id": ref["url"],
        "name": ref["label"],
        "termCode": ref["slug"],
        "url": ref["url"],
        "inDefinedTermSet": {"@type": "DefinedTermSet", "@id": term_set, "name": set_name},
    }


def _texts(record: dict, language: str) -> tuple[str, dict]:
    """The language and texts of the version the page shows: the translation in ``language``
    when the city wrote one, else the original."""
    for translation in record["translations"]:
        if translation["language"] == language:
            return language, translation
    return record["language"], record


def _without_empty(data: dict) -> dict:
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def entry(solution: Solution, language: str) -> dict | None:
    """The JSON-LD of an entry's page in ``language``; None unless the entry is published (what
    its page shows to its city and the curators before that is not public)."""
    if solution.status != Status.PUBLISHED:
        return None
    record = records.solution_record(solution, language)
    shown, texts = _texts(record, language)
    city = record["city"]
    taxonomy = records.absolute_url("taxonomy.tracks")
    data = {
        "@context": CONTEXT,
        "@type": schema_type(record),
        "@id": record["url"],
        "url": record["url"],
        "name": texts["title"],
        "description": texts["summary"],
        "inLanguage": shown,
        "dateCreated": record["created_at"],
        "datePublished": record["published_at"],
        "dateModified": record["updated_at"],
        "license": licence_url(record["licence"]),
        "image": record["image"]["url"] if record["image"] else None,
        "locationCreated": _place(city, language),
        # Where it applies: its own city and the cities that report using it.
        "spatialCoverage": [_place(city, language)]
        + [_place(use["city"], language) for use in record["used_by"]],
        "author": _council(city, language),
        "publisher": _council(city, language),
        "provider": {"@type": "Organization", "name": record["provider"]}
        if record["provider"]
        else None,
        "about": [
            _term(ref, taxonomy + "#challenges", "ICC challenges") for ref in record["challenges"]
        ]
        + [_term(ref, taxonomy + "#tracks", "ICC thematic tracks") for ref in record["tracks"]],
        "keywords": [ref["label"] for ref in record["services"]]
        + [ref["label"] for ref in record["sdgs"]],
        "workTranslation": [
            {
                "@type": "CreativeWork",
                "url": records.absolute_url(
                    "catalogue.detail", slug=record["slug"], version=t["language"]
                ),
                "inLanguage": t["language"],
                "name": t["title"],
            }
            for t in record["translations"]
            if t["language"] != shown
        ]
        if shown == record["language"]
        else [],
    }
    return _without_empty(data)


def city(found: City, shown: Iterable[Solution], language: str) -> dict:
    """The JSON-LD of a city's page: the City, its country, and the published entries the page
    shows (``shown``: one page of them, so a city with thousands stays a small block)."""
    record = records.city_ref(found)
    data = {
        "@context": CONTEXT,
        **_place(record, language),
        "description": markup.plain_text(found.profile),
        "subjectOf": [
            {
                "@type": "CreativeWork",
                "@id": ref["url"],
                "url": ref["url"],
                "name": ref["title"],
                "inLanguage": ref["language"],
            }
            for ref in map(records.solution_ref, shown)
        ],
    }
    return _without_empty(data)
