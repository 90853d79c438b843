"""An entry's editable fields as plain data: snapshot, rules, and applying them to a Solution.

The entry form produces this data, revisions of published entries store it, and the preview
and the publishing services apply it, so all of them agree on what an entry holds.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _

from ..extensions import db
from ..i18n import format_number
from ..markup import plain_text
from ..models import SDG, Challenge, City, Solution, TransversalService
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


def snapshot(solution: Solution) -> dict[str, Any]:
    """Every editable field of ``solution`` as plain data."""
    data: dict[str, Any] = {name: getattr(solution, name) or "" for name in TEXT_FIELDS}
    data["contact_public"] = bool(solution.contact_public)
    data["languages"] = list(solution.languages or [])
    data["challenges"] = [c.slug for c in solution.challenges]
    data["services"] = [s.slug for s in solution.services]
    data["sdgs"] = [s.number for s in solution.sdgs]
    return data


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
    if before is not None and before != snapshot(solution):
        solution.content_updated_at = utc_now()
    if before is not None and old_image and old_image != solution.image:
        images.delete_unreferenced_after_commit([old_image])


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
    solution = Solution(city=city, city_id=city.id, status=Status.DRAFT, sample=False)
    with db.session.no_autoflush:
        apply(solution, data)
    if solution in db.session:
        db.session.expunge(solution)
    return solution
