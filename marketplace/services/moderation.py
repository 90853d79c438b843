"""The entry status state machine: one table of allowed transitions, each one audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from ..extensions import db
from ..i18n import in_sentence
from ..models import ModerationEvent, Solution
from ..sqltypes import utc_now
from ..vocab import STATUS_LABELS, Status
from . import audit
from .errors import InvalidTransition

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED}),
    Status.SUBMITTED: frozenset(
        {Status.PUBLISHED, Status.CHANGES_REQUESTED, Status.REJECTED, Status.DRAFT}
    ),
    Status.CHANGES_REQUESTED: frozenset({Status.SUBMITTED}),
    Status.PUBLISHED: frozenset({Status.ARCHIVED}),
    Status.ARCHIVED: frozenset({Status.PUBLISHED}),
    Status.REJECTED: frozenset(),
}


def can_transition(current: str, target: str) -> bool:
    return Status(target) in TRANSITIONS[Status(current)]


def apply_transition(
    solution: Solution,
    target: Status,
    actor: Any,
    comment: str = "",
    at: datetime | None = None,
) -> ModerationEvent:
    """Move ``solution`` to ``target`` and record the event; flushes, the unit of work commits.

    :raises InvalidTransition: when the state machine does not allow the move.
    """
    if not can_transition(solution.status, target):
        raise InvalidTransition(
            _(
                "An entry that is %(current)s cannot become %(target)s.",
                current=in_sentence(STATUS_LABELS[solution.status]),
                target=in_sentence(STATUS_LABELS[target]),
            )
        )
    when = at or utc_now()
    event = ModerationEvent(
        solution=solution,
        actor=actor,
        from_status=solution.status,
        to_status=target,
        comment=comment,
        created_at=when,
    )
    audit.record(actor, f"entry.{target}", detail=comment, solution=solution)
    solution.status = target
    if target == Status.PUBLISHED and solution.published_at is None:
        solution.published_at = when
    db.session.add(event)
    db.session.flush()
    return event


def record_created(solution: Solution, actor: Any, at: datetime | None = None) -> ModerationEvent:
    """Record that ``solution`` came into being as a draft; flushes, the unit of work commits."""
    event = ModerationEvent(
        solution=solution,
        actor=actor,
        from_status=None,
        to_status=solution.status,
        created_at=at or utc_now(),
    )
    db.session.add(event)
    db.session.flush()
    return event
