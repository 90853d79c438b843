"""Controlled vocabularies: the values stored in the database and the labels people read."""

from __future__ import annotations

from enum import StrEnum

import pycountry
from flask_babel import lazy_gettext as _l


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
    "draft": _l("Draft"),
    "submitted": _l("Submitted for review"),
    "changes_requested": _l("Changes requested"),
    "published": _l("Published"),
    "rejected": _l("Rejected"),
    "archived": _l("Archived"),
}
KINDS = {"solution": _l("Solution"), "best_practice": _l("Best practice")}
MATURITIES = {
    "idea": _l("Idea"),
    "pilot": _l("Pilot"),
    "deployed": _l("Deployed"),
    "scaled": _l("Scaled"),
}
MATURITY_HINTS = {
    "idea": _l("designed, not yet tried"),
    "pilot": _l("tried in a limited pilot"),
    "deployed": _l("running in everyday use"),
    "scaled": _l("running in several places or city-wide"),
}
COST_BANDS = {
    "none": _l("No direct cost"),
    "under-10k": _l("Under €10,000"),
    "10k-50k": _l("€10,000 to €50,000"),
    "50k-250k": _l("€50,000 to €250,000"),
    "250k-1m": _l("€250,000 to €1 million"),
    "over-1m": _l("Over €1 million"),
}
# Licences offered in the entry form: common SPDX identifiers, and "proprietary".
LICENCES = {
    "EUPL-1.2": _l("EUPL-1.2 (European Union Public Licence)"),
    "Apache-2.0": "Apache-2.0",
    "MIT": "MIT",
    "GPL-3.0-only": "GPL-3.0-only",
    "AGPL-3.0-only": "AGPL-3.0-only",
    "LGPL-3.0-only": "LGPL-3.0-only",
    "MPL-2.0": "MPL-2.0",
    "BSD-3-Clause": "BSD-3-Clause",
    "CC0-1.0": _l("CC0-1.0 (public domain dedication)"),
    "CC-BY-4.0": "CC-BY-4.0",
    "CC-BY-SA-4.0": "CC-BY-SA-4.0",
    "CC-BY-NC-4.0": "CC-BY-NC-4.0",
    "ODbL-1.0": _l("ODbL-1.0 (Open Database Licence)"),
    "proprietary": _l("Proprietary"),
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
CITY_ROLES = {
    "mentor": _l("Mentor city"),
    "core": _l("Core city"),
    "observer": _l("Observer city"),
}
# How often a saved search's digest comes (models.alert.FREQUENCIES).
ALERT_FREQUENCIES = {
    "daily": _l("Daily"),
    "weekly": _l("Weekly"),
}
ROLE_LABELS = {
    "publisher": _l("City publisher"),
    "curator": _l("Curator"),
    "admin": _l("Administrator"),
}


def is_country(code: str) -> bool:
    # Kosovo: in common use (and in CLDR), not (yet) assigned by ISO 3166-1.
    return code.upper() == "XK" or pycountry.countries.get(alpha_2=code) is not None


def is_language(code: str) -> bool:
    return pycountry.languages.get(alpha_2=code.lower()) is not None
