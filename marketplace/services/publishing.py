"""A city's own entries: the publisher dashboard and the author's status changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..extensions import db
from ..models import ModerationEvent, Solution
from ..permissions import can_publish_for_city
from ..vocab import Status
from .errors import PermissionDenied

# Dashboard order: what needs the author's attention first.
DASHBOARD_ORDER = (
    Status.CHANGES_REQUESTED,
    Status.DRAFT,
    Status.SUBMITTED,
    Status.PUBLISHED,
    Status.REJECTED,
    Status.ARCHIVED,
)


@dataclass(frozen=True)
class DashboardRow:
    solution: Solution
    # The curator's words on the latest decision (changes requested, rejected), if any.
    last_comment: str


def require_city(user: Any) -> int:
    """The id of the city ``user`` publishes for.

    :raises PermissionDenied: when the account publishes for no city.
    """
    if not can_publish_for_city(user):
        raise PermissionDenied(
            "The dashboard lists a city's entries; your account publishes for no city."
        )
    return user.city_id


def _last_comments(solution_ids: list[int]) -> dict[int, str]:
    latest = (
        db.select(ModerationEvent.solution_id, db.func.max(ModerationEvent.id).label("last"))
        .where(ModerationEvent.solution_id.in_(solution_ids))
        .group_by(ModerationEvent.solution_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(ModerationEvent.solution_id, ModerationEvent.comment).join(
            latest, ModerationEvent.id == latest.c.last
        )
    )
    return dict(rows.all())


def dashboard(user: Any) -> dict[Status, list[DashboardRow]]:
    """The entries of the user's city grouped by status, most recently changed first.

    :raises PermissionDenied: see require_city.
    """
    city_id = require_city(user)
    solutions = db.session.scalars(
        db.select(Solution)
        .where(Solution.city_id == city_id)
        .order_by(Solution.updated_at.desc(), Solution.id.desc())
    ).all()
    comments = _last_comments([s.id for s in solutions])
    groups: dict[Status, list[DashboardRow]] = {status: [] for status in DASHBOARD_ORDER}
    for solution in solutions:
        groups[Status(solution.status)].append(
            DashboardRow(solution, comments.get(solution.id, ""))
        )
    return groups
