"""Controlled vocabularies: the values stored in the database and the labels people read."""

from __future__ import annotations

from enum import StrEnum

import pycountry


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"
    ARCHIVED = "archived"


class RevisionStatus(StrEnum):
    """A published entry's pending changes: the author works on them, or they wait for review."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class ReportStatus(StrEnum):
    """A report from the public waits (open) until a curator resolves or dismisses it."""

    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


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
# Licences offered in the entry form: common SPDX identifiers, and "proprietary".
LICENCES = {
    "EUPL-1.2": "EUPL-1.2 (European Union Public Licence)",
    "Apache-2.0": "Apache-2.0",
    "MIT": "MIT",
    "GPL-3.0-only": "GPL-3.0-only",
    "AGPL-3.0-only": "AGPL-3.0-only",
    "LGPL-3.0-only": "LGPL-3.0-only",
    "MPL-2.0": "MPL-2.0",
    "BSD-3-Clause": "BSD-3-Clause",
    "CC0-1.0": "CC0-1.0 (public domain dedication)",
    "CC-BY-4.0": "CC-BY-4.0",
    "CC-BY-SA-4.0": "CC-BY-SA-4.0",
    "CC-BY-NC-4.0": "CC-BY-NC-4.0",
    "ODbL-1.0": "ODbL-1.0 (Open Database Licence)",
    "proprietary": "Proprietary",
}
# Languages offered in the entry form: the EU's official languages and those of ICC cities
# beyond the EU (ISO 639-1).
FORM_LANGUAGES = [
    "bg",
    "cs",
    "da",
    "de",
    "el",
    "en",
    "es",
    "et",
    "fi",
    "fr",
    "ga",
    "hr",
    "hu",
    "it",
    "lt",
    "lv",
    "mt",
    "nl",
    "pl",
    "pt",
    "ro",
    "sk",
    "sl",
    "sv",
    "is",
    "no",
    "sq",
    "mk",
    "sr",
    "bs",
    "tr",
    "uk",
    "ca",
    "eu",
    "gl",
]
CITY_ROLES = {"mentor": "Mentor city", "core": "Core city", "observer": "Observer city"}
ROLE_LABELS = {"publisher": "City publisher", "curator": "Curator", "admin": "Administrator"}


def is_country(code: str) -> bool:
    # Kosovo: in common use (and in CLDR), not (yet) assigned by ISO 3166-1.
    return code.upper() == "XK" or pycountry.countries.get(alpha_2=code) is not None


def is_language(code: str) -> bool:
    return pycountry.languages.get(alpha_2=code.lower()) is not None
