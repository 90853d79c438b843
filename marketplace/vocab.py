"""Controlled vocabularies: the values stored in the database and the labels people read."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

import pycountry


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"
    ARCHIVED = "archived"


class Role(StrEnum):
    PUBLISHER = "publisher"
    CURATOR = "curator"
    ADMIN = "admin"


STATUS_LABELS = {
    "draft": "Draft",
    "submitted": "Submitted for review",
    "changes_requested": "Changes requested",
    "published": "Published",
    "rejected": "Rejected",
    "archived": "Archived",
}
KINDS = {"solution": "Solution", "best_practice": "Best practice"}
MATURITIES = {
    "idea": "Idea",
    "pilot": "Pilot",
    "deployed": "Deployed",
    "scaled": "Scaled",
}
MATURITY_HINTS = {
    "idea": "designed, not yet tried",
    "pilot": "tried in a limited pilot",
    "deployed": "running in everyday use",
    "scaled": "running in several places or city-wide",
}
COST_BANDS = {
    "none": "No direct cost",
    "under-10k": "Under €10,000",
    "10k-50k": "€10,000 to €50,000",
    "50k-250k": "€50,000 to €250,000",
    "250k-1m": "€250,000 to €1 million",
    "over-1m": "Over €1 million",
}
CITY_ROLES = {"mentor": "Mentor city", "core": "Core city", "observer": "Observer city"}
ROLE_LABELS = {"publisher": "City publisher", "curator": "Curator", "admin": "Administrator"}

# Codes in common use that ISO 3166-1 does not (yet) assign.
_EXTRA_COUNTRIES = {"XK": "Kosovo"}


@cache
def country_name(code: str) -> str:
    """English short name of an ISO 3166-1 alpha-2 code; the code itself when unknown."""
    code = code.upper()
    if code in _EXTRA_COUNTRIES:
        return _EXTRA_COUNTRIES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def is_country(code: str) -> bool:
    return code.upper() in _EXTRA_COUNTRIES or pycountry.countries.get(alpha_2=code) is not None


@cache
def language_name(code: str) -> str:
    """English name of an ISO 639-1 language code; the code itself when unknown."""
    language = pycountry.languages.get(alpha_2=code.lower())
    return language.name if language is not None else code


def is_language(code: str) -> bool:
    return pycountry.languages.get(alpha_2=code.lower()) is not None
