"""An entry's editable fields as plain data: snapshot, rules, and applying them to a Solution.

The entry form produces this data, revisions of published entries store it, and the preview
and the publishing services apply it, so all of them agree on what an entry holds. Besides the
fields below, the data holds ``language`` (the original's ISO 639-1 code) and ``translations``
({code: {field: text}} for the fields of TRANSLATABLE), so a translation of a published entry
goes through review like any other change.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from flask_babel import gettext as _

from ..extensions import db
from ..i18n import format_number, language_name
from ..markup import plain_text
from ..models import SDG, Challenge, City, Solution, SolutionTranslation, TransversalService
from ..models.solution import TRANSLATABLE
from ..sqltypes import utc_now
from ..text import has_controls
from ..vocab import COST_BANDS, FORM_LANGUAGES, KINDS, MATURITIES, Status
from . import images
from .checks import is_email

TEXT_FIELDS = (
    "kind",
    "title",
    "summary",
    "description",
    "impact",
    "lessons",
    "provider",
    "contact_name",
    "contact_email",
    "website",
    "maturity",
    "cost_band",
    "funding_model",
    "licence",
    "image",
    "image_alt",
)
MARKDOWN_FIELDS = ("description", "impact", "lessons")
SUMMARY_MAX = 300
MARKDOWN_MAX = 20_000  # characters per Markdown field: long enough for any write-up
DESCRIPTION_MIN = 200  # characters of text, without Markdown syntax
TITLE_MAX = 200  # the column's length (the entry form checks the original's)


def snapshot(solution: Solution) -> dict[str, Any]:
    """Every editable field of ``solution`` as plain data."""
    data: dict[str, Any] = {name: getattr(solution, name) or "" for name in TEXT_FIELDS}
    data["contact_public"] = bool(solution.contact_public)
    data["languages"] = list(solution.languages or [])
    data["challenges"] = [c.slug for c in solution.challenges]
    data["services"] = [s.slug for s in solution.services]
    data["sdgs"] = [s.number for s in solution.sdgs]
    data["language"] = solution.language or "en"
    data["translations"] = {
        t.language: {name: getattr(t, name) or "" for name in TRANSLATABLE}
        for t in solution.translations
    }
    return data


def translation_key(code: str, name: str) -> str:
    """The key of a translation's field in ``problems`` ("translations.fr.title")."""
    return f"translations.{code}.{name}"


def split_translation_key(key: str) -> tuple[str, str] | None:
    """(code, field) of a key made by translation_key, else None."""
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "translations":
        return parts[1], parts[2]
    return None


def valid_url(value: str) -> bool:
    return re.fullmatch(r"https?://[^\s/$.?#][^\s]*\.[^\s]+", value, re.IGNORECASE) is not None


def problems(data: dict[str, Any], submit: bool) -> dict[str, str]:
    """What stops ``data`` from being saved (a draft) or submitted for review, by field."""
    found: dict[str, str] = {}
    for name in TEXT_FIELDS:
        if has_controls(data.get(name) or "", multiline=name in MARKDOWN_FIELDS):
            found[name] = _("Remove the invisible control characters from this text.")
    if not data.get("title", "").strip():
        found["title"] = _("Give the entry a title.")
    for name in MARKDOWN_FIELDS:
        if len(data.get(name, "")) > MARKDOWN_MAX:
            found[name] = _("Keep this to %(max)s characters.", max=format_number(MARKDOWN_MAX))
    if len(data.get("summary", "")) > SUMMARY_MAX:
        found["summary"] = _("Keep the summary to %(max)d characters.", max=SUMMARY_MAX)
    email = data.get("contact_email", "").strip()
    if email and not is_email(email):
        found["contact_email"] = _("This is not a valid email address.")
    website = data.get("website", "").strip()
    if website and not valid_url(website):
        found["website"] = _("Give a full web address starting with https:// or http://.")
    if data.get("kind") and data["kind"] not in KINDS:
        found["kind"] = _("Choose solution or best practice.")
    if data.get("maturity") and data["maturity"] not in MATURITIES:
        found["maturity"] = _("Choose one of the maturity levels.")
    if data.get("image") and not data.get("image_alt", "").strip():
        found["image_alt"] = _("Say in a few words what the image shows (read out to blind users).")
    found.update(_language_problems(data, submit))
    if not submit:
        return found
    if not data.get("summary", "").strip():
        found["summary"] = _("Write a summary: one or two sentences shown in search results.")
    if len(plain_text(data.get("description", ""))) < DESCRIPTION_MIN:
        found["description"] = _(
            "Describe the solution in at least %(min)d characters: what it does, "
            "for whom, and how it works.",
            min=DESCRIPTION_MIN,
        )
    if not data.get("challenges"):
        found["challenges"] = _("Choose at least one challenge this entry answers.")
    if data.get("kind") not in KINDS:
        found["kind"] = _("Say whether this is a solution or a best practice.")
    if data.get("maturity") not in MATURITIES:
        found["maturity"] = _("Say how mature the solution is.")
    if not email:
        found["contact_email"] = _("Give a contact email, so other cities can ask questions.")
    if data.get("cost_band") and data["cost_band"] not in COST_BANDS:
        found["cost_band"] = _("Choose a cost band from the list.")
    return found


def _language_problems(data: dict[str, Any], submit: bool) -> dict[str, str]:
    """The original's language, and each translation checked like the original's text."""
    found: dict[str, str] = {}
    original = data.get("language")
    if original is not None and original not in FORM_LANGUAGES:
        found["language"] = _("Choose the language the entry is written in.")
    for code, values in sorted((data.get("translations") or {}).items()):
        key = functools.partial(translation_key, code)
        if code not in FORM_LANGUAGES:
            found[key("language")] = _("Choose a language from the list.")
        elif code == original:
            found["language"] = _(
                "This entry has a translation into %(language)s: choose another language, or "
                "remove that translation first.",
                language=language_name(code),
            )
        for name in TRANSLATABLE:
            if has_controls(values.get(name) or "", multiline=name in MARKDOWN_FIELDS):
                found[key(name)] = _("Remove the invisible control characters from this text.")
        title = values.get("title") or ""
        if not title.strip():
            found[key("title")] = _("Give the translation a title.")
        elif len(title) > TITLE_MAX:
            found[key("title")] = _("Keep the title to %(max)d characters.", max=TITLE_MAX)
        for name in MARKDOWN_FIELDS:
            if len(values.get(name) or "") > MARKDOWN_MAX:
                found[key(name)] = _(
                    "Keep this to %(max)s characters.", max=format_number(MARKDOWN_MAX)
                )
        summary = values.get("summary") or ""
        if len(summary) > SUMMARY_MAX:
            found[key("summary")] = _("Keep the summary to %(max)d characters.", max=SUMMARY_MAX)
        elif submit and not summary.strip():
            found[key("summary")] = _(
                "Write a summary: one or two sentences shown in search results."
            )
    return found


def _by_slug(model: type, slugs: list[str]) -> list[Any]:
    if not slugs:
        return []
    rows = {
        row.slug: row for row in db.session.scalars(db.select(model).where(model.slug.in_(slugs)))
    }
    return [rows[slug] for slug in slugs if slug in rows]


def apply(solution: Solution, data: dict[str, Any]) -> None:
    """Copy ``data`` onto ``solution`` (taxonomy looked up by slug); flushes nothing.

    A choice left unanswered in a draft (kind, maturity) stays empty: submitting asks for it.
    "Used by" is not entry data: only the adopting city records or removes its adoption.
    Data without ``language`` or ``translations`` (revisions written before entries had them)
    leaves those as they are.
    """
    before = snapshot(solution) if solution.id is not None else None
    old_image = solution.image
    for name in TEXT_FIELDS:
        value = data.get(name, "")
        setattr(solution, name, value.strip() if isinstance(value, str) else value)
    solution.contact_public = bool(data.get("contact_public"))
    solution.languages = ordered_languages(data.get("languages", []))
    solution.challenges = _by_slug(Challenge, list(data.get("challenges", [])))
    solution.services = _by_slug(TransversalService, list(data.get("services", [])))
    numbers = [int(n) for n in data.get("sdgs", [])]
    solution.sdgs = (
        list(db.session.scalars(db.select(SDG).where(SDG.number.in_(numbers)).order_by(SDG.number)))
        if numbers
        else []
    )
    if data.get("language"):
        solution.language = data["language"]
    if "translations" in data:
        _apply_translations(solution, data["translations"] or {})
    if before is not None and before != snapshot(solution):
        solution.content_updated_at = utc_now()
    if before is not None and old_image and old_image != solution.image:
        images.delete_unreferenced_after_commit([old_image])


def _apply_translations(solution: Solution, translations: dict[str, dict[str, str]]) -> None:
    """Make the entry's translation rows match ``translations``: changed in place, removed,
    added (so a language's row keeps its id and the unique constraint never sees two)."""
    rows = {row.language: row for row in solution.translations}
    for code, row in rows.items():
        if code not in translations:
            solution.translations.remove(row)
    for code, values in sorted(translations.items()):
        row = rows.get(code)
        if row is None:
            row = SolutionTranslation(language=code)
            solution.translations.append(row)
        for name in TRANSLATABLE:
            value = values.get(name) or ""
            setattr(row, name, value.strip())


def revision_data(solution: Solution) -> dict[str, Any]:
    """The data of the entry's pending revision; one saved before entries had a language and
    translations holds the entry's."""
    current = snapshot(solution)
    return {
        "language": current["language"],
        "translations": current["translations"],
        **solution.revision.data,
    }


def drop_revision(solution: Solution) -> None:
    """Forget the entry's pending revision (its new image too, once nothing refers to it)."""
    if solution.revision is not None:
        images.delete_unreferenced_after_commit([solution.revision.data.get("image", "")])
    solution.revision = None


def ordered_languages(codes: list[str]) -> list[str]:
    """Language codes without repeats, in the form's order (others after, alphabetically), so
    saving the same choice twice stores the same list."""
    rank = {code: i for i, code in enumerate(FORM_LANGUAGES)}
    return sorted(set(codes), key=lambda code: (rank.get(code, len(rank)), code))


def preview(data: dict[str, Any], city: City) -> Solution:
    """A Solution built from ``data`` for rendering only; it is never added to the session."""
    solution = Solution(
        city=city, city_id=city.id, status=Status.DRAFT, sample=False, language="en"
    )
    with db.session.no_autoflush:
        apply(solution, data)
    if solution in db.session:
        db.session.expunge(solution)
    return solution
