"""What a pending revision changes, field by field, for the curator's review page."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from ..extensions import db
from ..i18n import language_name, term_label
from ..models import Challenge, Solution, TransversalService
from ..models.solution import TRANSLATABLE
from ..vocab import COST_BANDS, KINDS, LICENCES, MATURITIES
from . import entries

DIFF_WORDS_MAX = 6_000

LABELS = {
    "language": _l("Written in"),
    "title": _l("Title"),
    "kind": _l("Kind"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "impact": _l("Impact and results"),
    "lessons": _l("Lessons learned"),
    "maturity": _l("Maturity"),
    "challenges": _l("Challenges"),
    "services": _l("Transversal services"),
    "sdgs": _l("SDGs"),
    "languages": _l("Languages"),
    "cost_band": _l("Set-up cost"),
    "funding_model": _l("Funding"),
    "licence": _l("Licence"),
    "provider": _l("Provider or partners"),
    "website": _l("Website"),
    "contact_name": _l("Contact name"),
    "contact_email": _l("Contact email"),
    "contact_public": _l("Contact shown publicly"),
    "image": _l("Image"),
    "image_alt": _l("Image description"),
}


@dataclass(frozen=True)
class FieldChange:
    label: str  # a lazy string: the field's label in the interface language
    old: str
    new: str

    @property
    def marked(self) -> Markup:
        """The new text with removed words struck through and added words marked."""
        return word_diff(self.old, self.new)


def _names(model: type, key: str, values: list[Any]) -> dict[Any, str]:
    if not values:
        return {}
    column = getattr(model, key)
    terms = db.session.scalars(db.select(model).where(column.in_(values)))
    return {getattr(term, key): term_label(term) for term in terms}


def _readable(data: dict[str, Any]) -> dict[str, str]:
    challenges = _names(Challenge, "slug", data.get("challenges", []))
    services = _names(TransversalService, "slug", data.get("services", []))
    vocabularies = {
        "kind": KINDS,
        "maturity": MATURITIES,
        "cost_band": COST_BANDS,
        "licence": LICENCES,
    }
    shown = {}
    for name in LABELS:
        value = data.get(name, "")
        if name in vocabularies:
            shown[name] = str(vocabularies[name].get(value, value))
        # Several values compare as sets: only what was added or removed counts as a change.
        elif name == "challenges":
            shown[name] = ", ".join(sorted({challenges.get(v, v) for v in value}))
        elif name == "services":
            shown[name] = ", ".join(sorted({services.get(v, v) for v in value}))
        elif name == "language":
            shown[name] = language_name(value) if value else ""
        elif name == "languages":
            shown[name] = ", ".join(language_name(v) for v in entries.ordered_languages(value))
        elif name == "sdgs":
            shown[name] = ", ".join(str(v) for v in sorted({int(v) for v in value}))
        elif name == "contact_public":
            shown[name] = _("Yes") if value else _("No")
        else:
            shown[name] = str(value or "")
    return shown


def changes(solution: Solution) -> list[FieldChange]:
    """The fields the entry's pending revision changes, in form order, then those of its
    translations by language (an added translation shows all its text as new, a removed one
    all as removed); none without a revision."""
    if solution.revision is None:
        return []
    before, after = entries.snapshot(solution), entries.revision_data(solution)
    old, new = _readable(before), _readable(after)
    found = [FieldChange(LABELS[n], old[n], new[n]) for n in LABELS if old[n] != new[n]]
    old_texts = before.get("translations") or {}
    new_texts = after.get("translations") or {}
    for code in sorted(set(old_texts) | set(new_texts)):
        was, now = old_texts.get(code) or {}, new_texts.get(code) or {}
        for name in TRANSLATABLE:
            if (was.get(name) or "") != (now.get(name) or ""):
                label = _l(
                    "%(field)s (%(language)s)", field=LABELS[name], language=language_name(code)
                )
                found.append(FieldChange(label, was.get(name) or "", now.get(name) or ""))
    return found


def word_diff(old: str, new: str) -> Markup:
    """Escaped text of ``new`` with <del> and <ins> marking the words changed from ``old``."""
    a, b = old.split(), new.split()
    if len(a) + len(b) > DIFF_WORDS_MAX:  # too long to compare word by word quickly
        return Markup("<ins>%s</ins>") % new
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op in ("replace", "delete"):
            out.append(Markup("<del>%s</del>") % " ".join(a[i1:i2]))
        if op in ("replace", "insert"):
            out.append(Markup("<ins>%s</ins>") % " ".join(b[j1:j2]))
        if op == "equal":
            out.append(escape(" ".join(a[i1:i2])))
    return Markup(" ").join(out)
