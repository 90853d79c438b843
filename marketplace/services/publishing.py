"""A city's own entries: the publisher dashboard and the author's status changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import search
from ..database import transactional
from ..extensions import db
from ..models import ModerationEvent, Solution, SolutionRevision
from ..permissions import can_author, can_edit, can_publish_for_city
from ..sqltypes import utc_now
from ..vocab import Status
from . import audit, entries
from .errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from .moderation import apply_transition, record_created

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


def get_own(user: Any, solution_id: int) -> Solution:
    """The entry with this id, for its author's pages.

    :raises NotFound: no such entry.
    :raises PermissionDenied: the entry belongs to another city (curators may look at any).
    """
    solution = db.session.get(Solution, solution_id)
    if solution is None:
        raise NotFound("There is no such entry.")
    if not can_edit(user, solution):
        raise PermissionDenied("This entry belongs to another city.")
    return solution


def _refuse_if_problems(data: dict[str, Any], submit: bool) -> None:
    found = entries.problems(data, submit)
    if found:
        field, message = next(iter(found.items()))
        raise ValidationFailed(message, field)


@transactional
def create_entry(user: Any, data: dict[str, Any], submit: bool = False) -> Solution:
    """A new entry of the user's city, saved as a draft or submitted for review.

    :raises PermissionDenied: the user publishes for no city.
    :raises ValidationFailed: the data breaks the draft (or, with ``submit``, the review) rules.
    """
    city_id = require_city(user)
    _refuse_if_problems(data, submit)
    solution = Solution(city_id=city_id, slug=entries.unique_slug(data["title"]))
    entries.apply(solution, data)
    db.session.add(solution)
    db.session.flush()
    record_created(solution, user)
    if submit:
        apply_transition(solution, Status.SUBMITTED, user)
    return solution


@transactional
def save_entry(user: Any, solution: Solution, data: dict[str, Any], submit: bool = False) -> str:
    """Save the author's edit; returns what happened: "saved", "submitted" or "revision".

    Drafts and entries with changes requested are edited in place. A published entry keeps its
    public version: the edit becomes its pending revision, which a curator approves.

    :raises PermissionDenied: another city's entry.
    :raises InvalidTransition: the entry waits for review, was rejected or is archived.
    :raises ValidationFailed: the data breaks the rules.
    """
    if not can_edit(user, solution):
        raise PermissionDenied("This entry belongs to another city.")
    _refuse_if_problems(data, submit)
    if solution.status == Status.PUBLISHED:
        revision = solution.revision
        if revision is None:
            revision = SolutionRevision(solution_id=solution.id)
            db.session.add(revision)
        revision.data = data
        revision.author_id = user.id
        revision.status = "submitted" if submit else "draft"
        solution.updated_at = utc_now()  # a new version: a curator's open review is outdated
        return "revision"
    if solution.status not in EDITABLE:
        raise InvalidTransition(NOT_EDITABLE[solution.status])
    entries.apply(solution, data)
    db.session.flush()
    if submit:
        apply_transition(solution, Status.SUBMITTED, user)
    return "submitted" if submit else "saved"


def _require_author(user: Any, solution: Solution) -> None:
    """:raises PermissionDenied: unless ``user`` publishes for the entry's city (curators
    withdraw nothing and archive through the curators' rules, with a reason)."""
    if not can_author(user, solution):
        raise PermissionDenied(
            "Only the city's own publishers take this step; curators archive an entry from "
            "its review page, with a reason."
        )


EDITABLE = (Status.DRAFT, Status.CHANGES_REQUESTED)
NOT_EDITABLE = {
    Status.SUBMITTED: "The entry waits for review: withdraw it to edit it again.",
    Status.REJECTED: "A rejected entry cannot be edited.",
    Status.ARCHIVED: "An archived entry cannot be edited; ask a curator to publish it again.",
}


@transactional
def withdraw(user: Any, solution: Solution) -> None:
    """Take a submission (or a submitted revision) back to draft, to keep editing it.

    :raises PermissionDenied: not a publisher of the entry's city.
    :raises InvalidTransition: nothing of this entry waits for review.
    """
    _require_author(user, solution)
    if solution.revision is not None and solution.revision.status == "submitted":
        solution.revision.status = "draft"
        solution.updated_at = utc_now()
        audit.record(user, "revision.withdrawn", solution=solution)
    else:
        apply_transition(solution, Status.DRAFT, user, "Withdrawn by the author.")


@transactional
def archive(user: Any, solution: Solution, reason: str = "") -> None:
    """Take the author's published entry off the public catalogue.

    :raises PermissionDenied: not a publisher of the entry's city.
    :raises InvalidTransition: the entry is not published.
    """
    _require_author(user, solution)
    apply_transition(solution, Status.ARCHIVED, user, reason or "Archived by the author.")
    solution.revision = None


@transactional
def discard_revision(user: Any, solution: Solution) -> None:
    """Drop the pending edit of a published entry; the public version stays as it is."""
    _require_author(user, solution)
    if solution.revision is None:
        raise InvalidTransition("This entry has no pending changes.")
    solution.revision = None
    solution.updated_at = utc_now()
    audit.record(user, "revision.discarded", solution=solution)


def history(solution: Solution) -> list[ModerationEvent]:
    """The entry's status changes, oldest first."""
    return list(
        db.session.scalars(
            db.select(ModerationEvent)
            .where(ModerationEvent.solution_id == solution.id)
            .order_by(ModerationEvent.created_at, ModerationEvent.id)
        )
    )


def possible_duplicates(data: dict[str, Any], exclude_id: int | None = None) -> list[Solution]:
    """Published entries whose title or summary reads like ``data``'s."""
    ids = search.duplicates(data.get("title", ""), data.get("summary", ""), exclude_id)
    if not ids:
        return []
    rows = {
        s.id: s
        for s in db.session.scalars(
            db.select(Solution).where(Solution.id.in_(ids), Solution.status == Status.PUBLISHED)
        )
    }
    return [rows[i] for i in ids if i in rows]
