"""Writing the audit trail; every service that changes something curators answer for calls it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Select

from ..extensions import db
from ..i18n import DEFAULT
from ..models import AuditEvent, Solution, User
from ..permissions import can_moderate
from . import csvfile
from .errors import PermissionDenied


def record(
    actor: Any,
    action: str,
    target: str = "",
    detail: str = "",
    solution: Solution | None = None,
) -> AuditEvent:
    """Add an audit event to the open unit of work (flushes nothing)."""
    actor_id = getattr(actor, "id", None) if actor is not None else None
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        target=target or (solution.title if solution is not None else ""),
        detail=detail,
        solution=solution,
    )
    db.session.add(event)
    return event


def english(value: Any) -> str:
    """A label (maybe a lazy, translated one) as the log stores it: in English, whatever the
    language of the person whose action is logged."""
    with force_locale(DEFAULT):
        return str(value)


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page narrows the log to; empty values do not filter."""

    actor: str = ""  # an email address, or part of one
    entry: str = ""  # an entry's slug or id
    action: str = ""  # an action, or its area ("entry", "user", ...)
    since: date | None = None
    until: date | None = None


def events(user: Any, wanted: AuditFilter) -> Select[tuple[AuditEvent]]:
    """The audit events matching ``wanted``, newest first (a select, so callers paginate).

    :raises PermissionDenied: not a curator.
    """
    if not can_moderate(user):
        raise PermissionDenied(_("Only curators can read the audit log."))
    query = db.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if wanted.actor:
        query = query.join(User, User.id == AuditEvent.actor_id).where(
            User.email.contains(wanted.actor.strip().lower(), autoescape=True)
        )
    if wanted.entry:
        entry = wanted.entry.strip()
        condition = Solution.slug == entry
        if entry.isascii() and entry.isdigit() and len(entry) < 10:
            condition = condition | (Solution.id == int(entry))
        query = query.join(Solution, Solution.id == AuditEvent.solution_id).where(condition)
    if wanted.action:
        action = wanted.action.strip()
        query = query.where(
            (AuditEvent.action == action)
            | AuditEvent.action.startswith(f"{action}.", autoescape=True)
        )
    if wanted.since:
        query = query.where(AuditEvent.created_at >= datetime.combine(wanted.since, time(), UTC))
    if wanted.until and wanted.until < date.max:
        end = datetime.combine(wanted.until + timedelta(days=1), time(), UTC)
        query = query.where(AuditEvent.created_at < end)
    return query


# The export is data for spreadsheets and scripts: its header stays in English.
CSV_COLUMNS = ("time (UTC)", "actor", "action", "entry", "target", "detail")


def csv_lines(user: Any, wanted: AuditFilter) -> Iterator[str]:
    """The matching events as CSV text, a header line first (streamable).

    :raises PermissionDenied: at once, not when the first line is read.
    """
    return csvfile.lines(CSV_COLUMNS, _rows(events(user, wanted)))


def _rows(query: Select[tuple[AuditEvent]]) -> Iterator[tuple]:
    for event in db.session.scalars(query.execution_options(yield_per=500)):
        yield (
            event.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            event.actor.email if event.actor else "system",
            event.action,
            event.solution.slug if event.solution else "",
            event.target,
            event.detail,
        )
