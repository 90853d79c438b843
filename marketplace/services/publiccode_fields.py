"""A publiccode.yml document as an import row (the table in README "Importing publiccode.yml").

The document is what publiccode.load returns (strings, lists and mappings only). What the file
says that has no field of ours (platforms, software type, maintenance, release, users, links)
is written into the description as a short "About the software" list, in each language's own
words, so nothing the file says about the software is lost.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import vocab
from .import_rows import SourceRow

# "0" is the version-less v0 schema of today's standard; 0.2 to 0.5 are the same schema.
_VERSION = re.compile(r"0|0\.[2-5](\.\d+)?")
# developmentStatus -> vocab.MATURITIES ("stable" used by two or more administrations: "scaled").
MATURITIES = {
    "concept": "idea",
    "development": "idea",
    "beta": "pilot",
    "stable": "deployed",
    "obsolete": "deployed",
}
SOFTWARE_TYPES = {
    "standalone/web": _l("web application"),
    "standalone/mobile": _l("mobile app"),
    "standalone/desktop": _l("desktop application"),
    "standalone/backend": _l("back-end service"),
    "standalone/iot": _l("software for connected devices (IoT)"),
    "standalone/other": _l("standalone software"),
    "addon": _l("add-on to other software"),
    "library": _l("library or SDK"),
    "configurationFiles": _l("configuration files"),
}
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")
PLATFORMS = {
    "web": _l("web"),
    "windows": "Windows",
    "mac": "macOS",
    "linux": "Linux",
    "ios": "iOS",
    "android": "Android",
}
# Deprecated SPDX identifiers that mean one of ours.
_SPDX_ALIASES = {
    "gpl-3.0": "GPL-3.0-only",
    "agpl-3.0": "AGPL-3.0-only",
    "lgpl-3.0": "LGPL-3.0-only",
}
_ALLOWED_CONTROLS = "\n\t\r"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def is_web_address(value: str) -> bool:
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and not any(c.isspace() or c in "<>\"'`" for c in value)
    )


def _link(value: str) -> str:
    """A web address as a Markdown autolink; anything else as code, never a link."""
    return f"<{value}>" if is_web_address(value) else "`" + value.replace("`", "") + "`"


class _Document:
    """Typed reads of the document that record what is missing or malformed as problems."""

    def __init__(self, document: dict) -> None:
        self.document = document
        self.problems: list[str] = []

    def get(self, *keys: str) -> Any:
        value: Any = self.document
        for key in keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    def missing(self, *keys: str) -> None:
        self.problems.append(
            _("%(key)s is missing: a publiccode.yml requires it.", key=".".join(keys))
        )

    def checked(self, value: str, keys: tuple[str, ...]) -> str:
        for char in value:
            if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
                code = format(ord(char), "04X")
                self.problems.append(
                    _(
                        "%(key)s contains the control character U+%(code)s.",
                        key=".".join(keys),
                        code=code,
                    )
                )
                return ""
        return value.strip()

    def text(self, *keys: str, required: bool = False) -> str:
        value = self.get(*keys)
        if value is None or value == "":
            if required:
                self.missing(*keys)
            return ""
        if not isinstance(value, str):
            self.problems.append(_("%(key)s should be text.", key=".".join(keys)))
            return ""
        return self.checked(value, keys)

    def texts(self, *keys: str, required: bool = False) -> list[str]:
        """A list of texts (a single text is a list of one)."""
        value = self.get(*keys)
        if isinstance(value, str):
            value = [value]
        if not value:
            if required:
                self.missing(*keys)
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problems.append(_("%(key)s should be a list of texts.", key=".".join(keys)))
            return []
        return [t for t in (self.checked(v, keys) for v in value) if t]

    def records(self, *keys: str) -> list[dict]:
        """A list of mappings (contacts, contractors)."""
        value = self.get(*keys)
        if not value:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problems.append(
                _("%(key)s should be a list of keys and values.", key=".".join(keys))
            )
            return []
        return value


def _languages(doc: _Document) -> list[tuple[str, str]]:
    """(our language, the file's tag) of each description in a form language, the best first."""
    descriptions = doc.get("description")
    if not isinstance(descriptions, dict) or not descriptions:
        doc.missing("description")
        return []
    found: dict[str, str] = {}
    for tag in descriptions:
        language = str(tag).replace("_", "-").split("-")[0].lower()
        if language in vocab.FORM_LANGUAGES and language not in found:
            found[language] = str(tag)
    if not found:
        doc.problems.append(
            _(
                "None of the description languages (%(languages)s) is one the catalogue offers.",
                languages=", ".join(str(tag) for tag in descriptions),
            )
        )
        return []

    def complete(tag: str) -> bool:
        texts = (doc.get("description", tag, k) for k in ("shortDescription", "longDescription"))
        return all(isinstance(t, str) and t.strip() for t in texts)

    complete = [language for language, tag in found.items() if complete(tag)]
    order = complete[:1] + [language for language in found if language not in complete[:1]]
    return [(language, found[language]) for language in order]


def _licence(doc: _Document) -> str:
    licence = doc.text("legal", "license", required=True)
    if not licence:
        return ""
    ours = {key.lower(): key for key in vocab.LICENCES if key != "proprietary"}
    match = ours.get(licence.lower()) or _SPDX_ALIASES.get(licence.lower())
    if match is None:
        doc.problems.append(
            _(
                "The licence %(licence)s (legal.license) is not one the catalogue offers: "
                "%(known)s.",
                licence=licence,
                known=", ".join(key for key in vocab.LICENCES if key != "proprietary"),
            )
        )
        return ""
    return match


def _maturity(doc: _Document, status: str, used_by: list[str]) -> str:
    if status and status not in MATURITIES:
        doc.problems.append(
            _(
                "developmentStatus %(value)s is not one of %(known)s.",
                value=status,
                known=", ".join(MATURITIES),
            )
        )
        return ""
    if status == "stable" and len(used_by) >= 2:
        return "scaled"
    return MATURITIES.get(status, "")


def _people(doc: _Document, key: str) -> list[dict[str, str]]:
    """maintenance.contacts or .contractors with a name: their name, email and until as text."""
    people = []
    for position, record in enumerate(doc.records("maintenance", key)):
        where = ("maintenance", key, str(position))
        person = {
            name: _one_line(doc.checked(value, (*where, name)))
            for name in ("name", "email", "until")
            if isinstance(value := record.get(name), str)
        }
        if person.get("name"):
            people.append(person)
    return people


class _Maintenance:
    """maintenance: who provides and maintains the software, and whom to contact."""

    def __init__(self, doc: _Document) -> None:
        self.type = doc.text("maintenance", "type", required=True)
        if self.type and self.type not in MAINTENANCE_TYPES:
            doc.problems.append(
                _(
                    "maintenance.type %(value)s is not one of %(known)s.",
                    value=self.type,
                    known=", ".join(MAINTENANCE_TYPES),
                )
            )
        self.contractors = _people(doc, "contractors")
        contacts = _people(doc, "contacts")
        if self.type == "contract" and not self.contractors:
            doc.missing("maintenance", "contractors")
        if self.type in ("internal", "community") and not contacts:
            doc.missing("maintenance", "contacts")
        first = (contacts or self.contractors or [{}])[0]
        self.contact_name = first.get("name", "")
        self.contact_email = first.get("email", "")
        owner = (
            doc.text("organisation", "name")
            or doc.text("legal", "repoOwner")
            or doc.text("legal", "mainCopyrightOwner")
        )
        names = ", ".join(c["name"] for c in self.contractors)
        self.provider = names if self.type == "contract" and names else owner

    def sentence(self) -> str:
        if self.type == "contract" and self.contractors:
            names = ", ".join(
                _("%(name)s until %(date)s", name=c["name"], date=c["until"])
                if c.get("until")
                else c["name"]
                for c in self.contractors
            )
            return _("Maintained under contract by %(contractors)s.", contractors=names)
        return {
            "internal": _("Maintained by its owner."),
            "community": _("Maintained by its community."),
            "none": _("Not actively maintained."),
        }.get(self.type, "")


class _Mapping:
    """The whole document read once; then written in each language."""

    def __init__(self, doc: _Document) -> None:
        self.doc = doc
        version = doc.text("publiccodeYmlVersion", required=True)
        if version and not _VERSION.fullmatch(version):
            doc.problems.append(
                _(
                    "publiccodeYmlVersion %(version)s is not one this import reads (0.2, 0.3, "
                    "0.4, 0.5 or 0).",
                    version=version,
                )
            )
        self.name = _one_line(doc.text("name", required=True))
        self.url = doc.text("url", required=True)
        landing = doc.text("landingURL")
        if landing and not is_web_address(landing):
            doc.problems.append(_("landingURL is not a web address: %(value)s", value=landing))
        self.website = next((u for u in (landing, self.url) if is_web_address(u)), "")
        self.platforms = doc.texts("platforms", required=True)
        self.software_type = doc.text("softwareType", required=True)
        if self.software_type and self.software_type not in SOFTWARE_TYPES:
            doc.problems.append(
                _(
                    "softwareType %(value)s is not one of %(known)s.",
                    value=self.software_type,
                    known=", ".join(SOFTWARE_TYPES),
                )
            )
        status = doc.text("developmentStatus", required=True)
        self.used_by = [_one_line(t) for t in doc.texts("usedBy")]
        self.maturity = _maturity(doc, status, self.used_by)
        self.obsolete = status == "obsolete"
        self.licence = _licence(doc)
        self.maintenance = _Maintenance(doc)
        self.release = ", ".join(
            t for t in (doc.text("softwareVersion"), doc.text("releaseDate")) if t
        )
        self.languages = _languages(doc)

    def facts(self) -> list[str]:
        """The "About the software" list, in the current locale."""
        facts = [_("Source code: %(link)s", link=_link(self.url))] if self.url else []
        if self.platforms:
            names = (str(PLATFORMS.get(p.lower(), _one_line(p))) for p in self.platforms)
            facts.append(_("Platforms: %(platforms)s", platforms=", ".join(names)))
        if self.software_type in SOFTWARE_TYPES:
            facts.append(_("Software type: %(type)s", type=SOFTWARE_TYPES[self.software_type]))
        if sentence := self.maintenance.sentence():
            facts.append(sentence)
        if self.release:
            facts.append(_("Latest release: %(release)s", release=self.release))
        if self.used_by:
            facts.append(_("Used by: %(names)s", names=", ".join(self.used_by)))
        return facts

    def version(self, language: str, tag: str, main: bool) -> dict[str, str]:
        """Title, summary and description in ``language`` (the file's ``tag``)."""
        doc, keys = self.doc, ("description", tag)
        if not isinstance(doc.get(*keys), dict):
            doc.problems.append(_("%(key)s should hold keys and values.", key=".".join(keys)))
            return {}
        title = self.name if main else (_one_line(doc.text(*keys, "localisedName")) or self.name)
        # Longer than our 300 characters: the import says so, as for any row.
        summary = _one_line(doc.text(*keys, "shortDescription", required=True))
        long = doc.text(*keys, "longDescription", required=main)
        with force_locale(language):
            parts = [long] if long else []
            if features := doc.texts(*keys, "features"):
                items = "\n".join(f"- {_one_line(f)}" for f in features)
                heading = _("Features")
                parts.append(f"**{heading}**\n\n{items}")
            facts = []
            for key, label in (
                ("documentation", _("Documentation: %(link)s")),
                ("apiDocumentation", _("API documentation: %(link)s")),
            ):
                if address := doc.text(*keys, key):
                    if is_web_address(address):
                        facts.append(label % {"link": _link(address)})
                    else:
                        doc.problems.append(
                            _(
                                "%(key)s is not a web address: %(value)s",
                                key=".".join((*keys, key)),
                                value=address,
                            )
                        )
            general = self.facts()
            facts = general[:1] + facts + general[1:]
            if self.obsolete:
                facts.append(_("The software is obsolete: no longer maintained or updated."))
            if facts:
                heading = _("About the software")
                parts.append(f"**{heading}**\n\n" + "\n".join(f"- {f}" for f in facts))
        return {"title": title, "summary": summary, "description": "\n\n".join(parts)}


def row(label: str, document: dict) -> SourceRow:
    """The import row of one publiccode.yml document; what it lacks goes in the row's problems."""
    doc = _Document(document)
    mapping = _Mapping(doc)
    fields = {"kind": "solution", "title": mapping.name}
    translations: dict[str, dict[str, str]] = {}
    for position, (language, tag) in enumerate(mapping.languages):
        texts = mapping.version(language, tag, main=position == 0)
        if position == 0:
            fields.update(language=language, **texts)
        elif texts:
            translations[language] = texts
    available = []
    for tag in doc.texts("localisation", "availableLanguages"):
        code = tag.replace("_", "-").split("-")[0].lower()
        if code in vocab.FORM_LANGUAGES and code not in available:
            available.append(code)
    fields.update(
        maturity=mapping.maturity,
        licence=mapping.licence,
        provider=mapping.maintenance.provider,
        website=mapping.website,
        languages=";".join(available),
        contact_name=mapping.maintenance.contact_name,
        contact_email=mapping.maintenance.contact_email,
        translations=";".join(sorted(translations)),
    )
    fields = {key: value for key, value in fields.items() if value}
    return SourceRow(label=label, fields=fields, translations=translations, problems=doc.problems)
