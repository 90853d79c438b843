"""Reports from the public: anyone reports a published entry; curators resolve or dismiss them."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from .. import i18n
from ..database import unit_of_work
from ..extensions import db
from ..models import Adoption, Report, Solution
from ..sqltypes import utc_now
from ..vocab import ReportStatus, Status
from . import audit, notices, redirects
from .checks import count_recent, normalise_email
from .curation import require_moderator
from .errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from .moderation import apply_transition

REASONS = {
    "outdated": _l("Outdated"),
    "incorrect": _l("Incorrect information"),
    "inappropriate": _l("Inappropriate content"),
    "duplicate": _l("Duplicate of another entry"),
}
# How a curator resolves a report; "dismiss" is the other decision.
RESOLUTIONS = {
    "edit": _l("Edit the entry"),
    "archive": _l("Archive the entry"),
    "merge": _l("Merge into the duplicate"),
}
DECISIONS = {**RESOLUTIONS, "dismiss": _l("Dismiss the report")}
# The reasons and what a resolution did, as the mails to the entry's city and to the reporter
# say them within a sentence (in lower case, so each language can write its own case).
REASONS_IN_MAIL = {
    "outdated": _l("outdated"),
    "incorrect": _l("incorrect information"),
    "inappropriate": _l("inappropriate content"),
    "duplicate": _l("duplicate of another entry"),
}
OUTCOMES = {
    "edit": _l("decided the entry needs correcting"),
    "archive": _l("took the entry off the catalogue"),
    "merge": _l("merged it into the entry it duplicates"),
    "dismiss": _l("dismissed the report"),
}
STATUSES = {
    ReportStatus.OPEN: _l("Open"),
    ReportStatus.RESOLVED: _l("Resolved"),
    ReportStatus.DISMISSED: _l("Dismissed"),
}
TEXT_MAX = 2000
NOTE_MAX = 2000

REFERENCE_MAX = 500


class TooManyReports(DomainError):
    status_code = 429


def get_reportable(slug: str) -> Solution:
    """The published entry with ``slug``.

    :raises NotFound: no such entry, or it is not published (reports are for public entries).
    """
    solution = db.session.scalar(
        select(Solution).where(Solution.slug == slug, Solution.status == Status.PUBLISHED)
    )
    if solution is None:
        raise NotFound(_("There is no published entry at this address."))
    return solution


def hash_ip(ip: str | None) -> str:
    """The key a rate limit counts by: the IPv4 address, or the IPv6 /64 network (one host
    commonly holds a whole /64), keyed with the secret so it cannot be reversed."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        network = ip or "unknown"
    else:
        prefix = 64 if address.version == 6 else 32
        network = str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, network.encode(), hashlib.sha256).hexdigest()


def slug_in(reference: str) -> str:
    """The entry slug in an entry's address (full URL or path) or a bare slug; "" if none."""
    reference = reference.strip()
    path = urlsplit(reference).path if "://" in reference else reference.split("?")[0]
    parts = [part for part in unquote(path.split("#")[0]).split("/") if part]
    if "solutions" in parts[:-1]:  # /solutions/<slug>, maybe followed by /report and the like
        return parts[len(parts) - parts[::-1].index("solutions")].lower()
    return parts[-1].lower() if parts else ""


def find_published(reference: str, other_than: Solution, field: str) -> Solution:
    """The published entry ``reference`` names (address or slug), which is not ``other_than``.

    :raises ValidationFailed: nothing given, no such published entry, or the same entry.
    """
    slug = slug_in(reference)
    if not slug:
        raise ValidationFailed(_("Give the address of the other entry."), field)
    target = db.session.scalar(
        select(Solution).where(Solution.slug == slug, Solution.status == Status.PUBLISHED)
    )
    if target is None:
        raise ValidationFailed(
            _("There is no published entry at “%(reference)s”.", reference=reference.strip()), field
        )
    if target.id == other_than.id:
        raise ValidationFailed(_("Give another entry than this one."), field)
    return target


def reports_last_hour(ip_hash: str) -> int:
    return count_recent(Report.created_at, timedelta(hours=1), Report.ip_hash == ip_hash)


def create_report(
    solution: Solution,
    reason: str,
    text: str,
    ip: str | None,
    reporter_email: str = "",
    duplicate_of: str = "",
) -> Report:
    """File an anonymous report on the published ``solution``; ``ip`` is the client's address.

    :raises ValidationFailed: unknown reason; text missing (it may be left out only for a
        duplicate whose original is named) or too long; invalid email; the named original is
        not another published entry.
    :raises NotFound: the entry is no longer published.
    :raises TooManyReports: REPORTS_PER_HOUR reports came from this address in the last hour.
    """
    text = text.strip()
    if reason not in REASONS:
        raise ValidationFailed(_("Choose what is wrong with the entry."), "reason")
    if len(text) > TEXT_MAX:
        raise ValidationFailed(
            _("Keep the description to %(max)d characters.", max=TEXT_MAX), "text"
        )
    email = normalise_email(reporter_email, "reporter_email", optional=True)
    reference = duplicate_of.strip() if reason == "duplicate" else ""
    if not text and not reference:
        raise ValidationFailed(_("Tell the curators what is wrong."), "text")
    ip_hash = hash_ip(ip)
    solution_id = solution.id
    with unit_of_work():
        solution = db.session.get(Solution, solution_id)
        if solution is None or solution.status != Status.PUBLISHED:
            raise NotFound(_("There is no published entry at this address."))
        original = find_published(reference, solution, "duplicate_of") if reference else None
        limit = int(current_app.config["REPORTS_PER_HOUR"])
        if reports_last_hour(ip_hash) >= limit:
            raise TooManyReports(
                ngettext(
                    "%(num)d report was sent from your network in the last hour, the most the "
                    "marketplace accepts. Nothing was sent: please try again in an hour.",
                    "%(num)d reports were sent from your network in the last hour, the most the "
                    "marketplace accepts. Nothing was sent: please try again in an hour.",
                    limit,
                )
            )
        report = Report(
            solution=solution,
            reason=reason,
            text=text,
            duplicate_of=original,
            reporter_email=email,
            language=i18n.current_language(),
            ip_hash=ip_hash,
        )
        db.session.add(report)
        detail = audit.english(REASONS[reason]) + (f" (of {original.title})" if original else "")
        audit.record(None, "report.created", detail=f"{detail}: {text}", solution=solution)
    return report


def open_count() -> int:
    """How many reports wait for a curator's decision."""
    return db.session.scalar(
        select(func.count()).select_from(Report).where(Report.status == ReportStatus.OPEN)
    )


def counts() -> dict[str, int]:
    """Reports by status, every status present."""
    rows = db.session.execute(select(Report.status, func.count()).group_by(Report.status))
    found = dict(rows.all())
    return {status: found.get(status, 0) for status in STATUSES}


def queue(status: str = ReportStatus.OPEN) -> Select[tuple[Report]]:
    """Reports with ``status``: open ones oldest first, decided ones latest decision first."""
    query = (
        select(Report)
        .where(Report.status == status)
        .options(selectinload(Report.solution).selectinload(Solution.city))
    )
    if status == ReportStatus.OPEN:
        return query.order_by(Report.created_at, Report.id)
    return query.order_by(Report.resolved_at.desc(), Report.id.desc())


def get_report(user: Any, report_id: int) -> Report:
    """The report with this id, for a curator.

    :raises PermissionDenied: ``user`` is not a curator or admin.
    :raises NotFound: no such report.
    """
    require_moderator(user)
    report = db.session.get(Report, report_id)
    if report is None:
        raise NotFound(_("There is no such report."))
    return report


def possible_decisions(report: Report) -> dict[str, Any]:
    """The decisions a curator can take on ``report`` now (value -> label): none once it is
    decided, only dismissing once its entry is no longer published."""
    if not report.is_open:
        return {}
    if report.solution.status != Status.PUBLISHED:
        return {"dismiss": DECISIONS["dismiss"]}
    return dict(DECISIONS)


def require_open(report: Report) -> None:
    """:raises InvalidTransition: the report was resolved or dismissed already."""
    if not report.is_open:
        raise InvalidTransition(_already_decided(report))


def _already_decided(report: Report) -> str:
    who = report.resolved_by.display_name if report.resolved_by else None
    if report.status == ReportStatus.DISMISSED:
        if who is None:
            return _(
                "This report was already dismissed by another curator; a report is decided "
                "once, so nothing was changed."
            )
        return _(
            "This report was already dismissed by %(name)s; a report is decided once, so "
            "nothing was changed.",
            name=who,
        )
    if who is None:
        return _(
            "This report was already resolved by another curator; a report is decided once, "
            "so nothing was changed."
        )
    return _(
        "This report was already resolved by %(name)s; a report is decided once, so nothing "
        "was changed.",
        name=who,
    )


def others_open(report: Report) -> list[Report]:
    """The other reports about the same entry that still wait for a decision."""
    return list(
        db.session.scalars(
            select(Report)
            .where(
                Report.solution_id == report.solution_id,
                Report.status == ReportStatus.OPEN,
                Report.id != report.id,
            )
            .order_by(Report.created_at, Report.id)
        )
    )


def _move_adoptions(source: Solution, target: Solution) -> int:
    """Move ``source``'s "used by" cities to ``target``; cities already there (or owning the
    target) stay on ``source``. Returns how many moved."""
    present = {adoption.city_id for adoption in target.adoptions} | {target.city_id}
    moved = 0
    for adoption in list(source.adoptions):
        if adoption.city_id in present:
            continue
        target.adoptions.append(
            Adoption(city_id=adoption.city_id, note=adoption.note, created_at=adoption.created_at)
        )
        source.adoptions.remove(adoption)
        moved += 1
    return moved


def decide(user: Any, report: Report, decision: str, note: str, target: str = "") -> Report:
    """Resolve ``report`` (``decision`` "edit", "archive" or "merge") or dismiss it, with a note.

    "edit" only marks the report resolved: the caller sends the curator to the entry form.
    "archive" archives the entry with the note as the reason. "merge" archives it as "Merged
    into <title>" and moves its adoptions to the published entry ``target`` names.

    :raises PermissionDenied: ``user`` is not a curator or admin.
    :raises ValidationFailed: unknown decision, note missing or too long, bad merge target.
    :raises InvalidTransition: the report was decided already, or the entry is no longer
        published (only dismissing is possible then).
    """
    require_moderator(user)
    note = note.strip()
    if decision not in DECISIONS:
        raise ValidationFailed(_("Choose a decision."), "decision")
    if not note:
        raise ValidationFailed(_("Write a note explaining the decision."), "note")
    if len(note) > NOTE_MAX:
        raise ValidationFailed(_("Keep the note to %(max)d characters.", max=NOTE_MAX), "note")
    with unit_of_work():
        _decide(user, report, decision, note, target)
    return report


def _decide(user: Any, report: Report, decision: str, note: str, target: str) -> None:
    # Locked for the transaction (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite), so two
    # curators deciding at once are served one after the other and the second sees the first.
    db.session.refresh(report, with_for_update=True)
    require_open(report)
    solution = report.solution
    if decision in RESOLUTIONS and solution.status != Status.PUBLISHED:
        raise InvalidTransition(
            _(
                "The entry is no longer published, so it cannot be edited, archived or merged "
                "from this report; dismiss the report with a note instead."
            )
        )
    original = find_published(target, solution, "target") if decision == "merge" else None
    detail = note
    if decision == "archive":
        apply_transition(solution, Status.ARCHIVED, user, note)
    elif original is not None:
        apply_transition(solution, Status.ARCHIVED, user, f"Merged into {original.title}")
        redirects.record("solution", solution.slug, original.id)
        moved = _move_adoptions(solution, original)
        detail = f"{note} (merged into {original.title}; {moved} adoption(s) moved)"
    report.status = ReportStatus.DISMISSED if decision == "dismiss" else ReportStatus.RESOLVED
    report.resolution = decision if decision in RESOLUTIONS else ""
    report.note = note
    report.resolved_by_id = user.id
    report.resolved_at = utc_now()
    if decision == "dismiss":
        audit.record(user, "report.dismissed", detail=detail, solution=solution)
    else:
        audit.record(
            user,
            "report.resolved",
            detail=f"{audit.english(RESOLUTIONS[decision])}: {detail}",
            solution=solution,
        )
    # Lazy labels: each mail writes them in its recipient's language.
    reason = REASONS_IN_MAIL.get(report.reason, report.reason)
    notices.report_decided(report, reason, OUTCOMES[decision])
