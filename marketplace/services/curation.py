"""Curators' decisions: the moderation queue, approving, requesting changes, rejecting,
archiving, republishing, featuring and editing entries directly. Each decision is audited and
mailed to the author; a decision made on an outdated view (another curator was first) is refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import mail
from ..database import current_unit, transactional, unit_of_work
from ..extensions import db
from ..i18n import term_label
from ..models import City, ModerationEvent, Solution, SolutionRevision, Track, User
from ..permissions import can_moderate
from ..sqltypes import utc_now
from ..text import clean_text
from ..vocab import KINDS, RevisionStatus, Status
from . import audit, entries
from .checks import refuse_if_problems
from .errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from .moderation import apply_transition

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(days=365)
DECISIONS = ("approve", "request_changes", "reject")
DECISION_DONE = {
    "approve": _l("Approved and published; the author has been told."),
    "request_changes": _l("Changes requested; the author has been told."),
    "reject": _l("Rejected; the author has been told."),
}


@dataclass(frozen=True)
class QueueItem:
    solution: Solution
    # True for a pending revision of a published entry, False for a new submission.
    revision: bool
    waiting_since: datetime


@dataclass
class Queue:
    items: list[QueueItem]
    # Per filter, the values present in the whole queue with their counts.
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def require_moderator(user: Any) -> None:
    """:raises PermissionDenied: unless ``user`` is a curator or an admin."""
    if not can_moderate(user):
        raise PermissionDenied(_("Only curators can do this."))


def _submitted_at() -> Any:
    return (
        db.select(db.func.max(ModerationEvent.created_at))
        .where(
            ModerationEvent.solution_id == Solution.id,
            ModerationEvent.to_status == Status.SUBMITTED,
        )
        .scalar_subquery()
    )


def queue(user: Any, track: str = "", city: str = "", kind: str = "") -> Queue:
    """Submissions and submitted revisions, oldest first, filtered by track, city and kind slugs."""
    require_moderator(user)
    submitted = db.session.execute(
        db.select(Solution, _submitted_at()).where(Solution.status == Status.SUBMITTED)
    ).all()
    revised = db.session.execute(
        db.select(Solution, SolutionRevision.updated_at)
        .join(SolutionRevision, SolutionRevision.solution_id == Solution.id)
        .where(
            SolutionRevision.status == RevisionStatus.SUBMITTED, Solution.status == Status.PUBLISHED
        )
    ).all()
    items = [QueueItem(s, False, since or s.updated_at) for s, since in submitted] + [
        QueueItem(s, True, since) for s, since in revised
    ]
    items.sort(key=lambda item: (item.waiting_since, item.solution.id))
    counts: dict[str, dict[str, int]] = {"track": {}, "city": {}, "kind": {}}
    for item in items:
        for slug in {t.slug for t in item.solution.tracks}:
            counts["track"][slug] = counts["track"].get(slug, 0) + 1
        counts["city"][item.solution.city.slug] = counts["city"].get(item.solution.city.slug, 0) + 1
        counts["kind"][item.solution.kind] = counts["kind"].get(item.solution.kind, 0) + 1

    def wanted(item: QueueItem) -> bool:
        s = item.solution
        return (
            (not track or track in {t.slug for t in s.tracks})
            and (not city or s.city.slug == city)
            and (not kind or s.kind == kind)
        )

    return Queue([item for item in items if wanted(item)], counts)


def filter_labels() -> dict[str, dict[str, Any]]:
    """The queue filters' labels per value: tracks in the interface language, kinds, cities."""
    return {
        "track": {track.slug: term_label(track) for track in db.session.scalars(db.select(Track))},
        "city": dict(db.session.execute(db.select(City.slug, City.name)).all()),
        "kind": dict(KINDS),
    }


def stale(user: Any, limit: int = 50) -> list[tuple[Solution, datetime]]:
    """Published entries nobody has reviewed for over a year, least recently reviewed first."""
    require_moderator(user)
    last_review = (
        db.select(db.func.max(ModerationEvent.created_at))
        .where(ModerationEvent.solution_id == Solution.id)
        .scalar_subquery()
    )
    reviewed = db.func.coalesce(last_review, Solution.published_at)
    rows = db.session.execute(
        db.select(Solution, reviewed)
        .where(Solution.status == Status.PUBLISHED, reviewed < utc_now() - STALE_AFTER)
        .order_by(reviewed, Solution.id)
        .limit(limit)
    ).all()
    return [(solution, when) for solution, when in rows]


def get_for_review(user: Any, solution_id: int) -> Solution:
    """:raises PermissionDenied: not a curator. :raises NotFound: no such entry."""
    require_moderator(user)
    solution = db.session.get(Solution, solution_id)
    if solution is None:
        raise NotFound(_("There is no such entry."))
    return solution


OUTDATED = _l(
    "Another curator changed or decided on this entry while you were looking at it. "
    "Nothing was changed: check its current state below."
)


def _check_version(solution: Solution, version: int | None) -> None:
    if version is not None and version != solution.version:
        raise InvalidTransition(OUTDATED)


def author_of(solution: Solution) -> User | None:
    """Who wrote the entry (or its pending revision), for the review page and notifications."""
    if solution.revision is not None and solution.revision.author is not None:
        return solution.revision.author
    event = db.session.scalar(
        db.select(ModerationEvent)
        .where(ModerationEvent.solution_id == solution.id, ModerationEvent.actor_id.is_not(None))
        .where(ModerationEvent.to_status.in_([Status.SUBMITTED, Status.DRAFT]))
        .order_by(ModerationEvent.created_at.desc(), ModerationEvent.id.desc())
    )
    return event.actor if event is not None else None


def _notify(recipient: User | None, solution: Solution, headline: Any, comment: str) -> None:
    """Mail the author about a decision once it has committed (a refusal is logged and kept).

    ``headline`` is a lazy string: the mail writes it in the author's language.
    """
    if recipient is None or not recipient.active:
        return
    try:
        mail.notify(
            "decision",
            recipient.email,
            recipient=recipient,
            solution=solution,
            headline=headline,
            comment=comment,
        )
    except ValueError:  # a header that cannot be built must not undo the decision
        log.exception("could not mail the decision on entry %s", solution.id)
        current_unit().failed.append(f"mail to {recipient.email}")


def decide(
    user: Any, solution_id: int, decision: str, comment: str = "", version: int | None = None
) -> bool:
    """Approve, request changes on, or reject a submission or a submitted revision.

    Returns whether the author could be mailed.

    :raises PermissionDenied: not a curator.
    :raises ValidationFailed: an unknown decision, or no comment where one is required.
    :raises InvalidTransition: nothing of this entry waits for a decision, or another curator
        was first (``version`` is the entry's version the curator saw).
    """
    require_moderator(user)
    comment = (clean_text(comment) or "").strip()
    if decision not in DECISIONS:
        raise ValidationFailed(_("Choose approve, request changes or reject."), "decision")
    if decision == "request_changes" and not comment:
        raise ValidationFailed(_("Say what should change: the author reads this."), "comment")
    if decision == "reject" and not comment:
        raise ValidationFailed(
            _("Give the reason for rejecting: the author reads this."), "comment"
        )
    with unit_of_work(OUTDATED) as unit:
        _decide(user, solution_id, decision, comment, version)
    return not unit.failed


def _decide(user: Any, solution_id: int, decision: str, comment: str, version: int | None) -> None:
    solution = get_for_review(user, solution_id)
    _check_version(solution, version)
    revision = solution.revision
    if (
        solution.status == Status.PUBLISHED
        and revision is not None
        and revision.status == RevisionStatus.SUBMITTED
    ):
        recipient = author_of(solution)
        headline = _decide_revision(user, solution, revision, decision, comment)
    elif solution.status == Status.SUBMITTED:
        recipient = author_of(solution)
        target = {
            "approve": Status.PUBLISHED,
            "request_changes": Status.CHANGES_REQUESTED,
            "reject": Status.REJECTED,
        }[decision]
        apply_transition(solution, target, user, comment)
        headline = {
            "approve": _l('Your entry "%(title)s" is published.', title=solution.title),
            "request_changes": _l(
                'A curator asked for changes to "%(title)s".', title=solution.title
            ),
            "reject": _l(
                'Your entry "%(title)s" was not accepted for publication.', title=solution.title
            ),
        }[decision]
    else:
        raise InvalidTransition(_("Nothing of this entry waits for a decision."))
    solution.updated_at = utc_now()
    _notify(recipient, solution, headline, comment)


def _decide_revision(
    user: Any, solution: Solution, revision: SolutionRevision, decision: str, comment: str
) -> Any:
    """Decide on a submitted revision; returns the mail's headline (a lazy string)."""
    event = ModerationEvent(
        solution=solution,
        actor_id=user.id,
        from_status=solution.status,
        to_status=solution.status,
        created_at=utc_now(),
    )
    if decision == "approve":
        entries.apply(solution, revision.data)
        entries.drop_revision(solution)
        event.comment = "Changes approved." + (f" {comment}" if comment else "")
        audit.record(user, "revision.approved", detail=comment, solution=solution)
        headline = _l('Your changes to "%(title)s" are published.', title=solution.title)
    elif decision == "request_changes":
        revision.status = RevisionStatus.DRAFT
        event.comment = f"Changes to the published entry need work: {comment}"
        audit.record(user, "revision.changes_requested", detail=comment, solution=solution)
        headline = _l(
            'A curator asked for more work on your changes to "%(title)s".', title=solution.title
        )
    else:
        entries.drop_revision(solution)
        event.comment = f"Changes to the published entry rejected: {comment}"
        audit.record(user, "revision.rejected", detail=comment, solution=solution)
        headline = _l('Your changes to "%(title)s" were not accepted.', title=solution.title)
    db.session.add(event)
    return headline


def archive(user: Any, solution_id: int, reason: str, version: int | None = None) -> None:
    """Take a published entry off the catalogue, with a reason the author reads.

    :raises ValidationFailed: no reason. :raises InvalidTransition: not published, or outdated.
    """
    require_moderator(user)
    reason = (clean_text(reason) or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for archiving."), "reason")
    with unit_of_work(OUTDATED):
        solution = get_for_review(user, solution_id)
        _check_version(solution, version)
        recipient = author_of(solution)
        apply_transition(solution, Status.ARCHIVED, user, reason.strip())
        entries.drop_revision(solution)
        headline = _l('"%(title)s" was archived.', title=solution.title)
        _notify(recipient, solution, headline, reason.strip())


def republish(user: Any, solution_id: int, comment: str = "", version: int | None = None) -> None:
    """Publish an archived entry again.  :raises InvalidTransition: not archived, or outdated."""
    require_moderator(user)
    with unit_of_work(OUTDATED):
        solution = get_for_review(user, solution_id)
        _check_version(solution, version)
        apply_transition(solution, Status.PUBLISHED, user, (clean_text(comment) or "").strip())


@transactional
def set_featured(user: Any, solution_id: int, featured: bool) -> None:
    """Show (or stop showing) a published entry on the home page."""
    require_moderator(user)
    solution = get_for_review(user, solution_id)
    if featured and not solution.is_published:
        raise InvalidTransition(_("Only published entries can be featured."))
    solution.featured = featured
    audit.record(user, "entry.featured" if featured else "entry.unfeatured", solution=solution)


@transactional
def curator_edit(user: Any, solution: Solution, data: dict[str, Any]) -> list[str]:
    """Change an entry's fields directly, whatever its status; logged with the fields changed.

    :raises ValidationFailed: the data breaks the draft rules (a published entry: the review rules).
    """
    require_moderator(user)
    refuse_if_problems(entries.problems(data, submit=solution.is_published))
    before = entries.snapshot(solution)
    entries.apply(solution, data)
    after = entries.snapshot(solution)
    changed = [name for name in after if before.get(name) != after.get(name)]
    if changed:
        audit.record(
            user, "entry.curator_edit", detail="Changed: " + ", ".join(changed), solution=solution
        )
    return changed


def bulk(user: Any, action: str, ids: dict[int, int | None]) -> tuple[list[str], list[str]]:
    """Approve or archive several entries (id -> version seen); each stands alone.

    Returns (done, refused) messages.
    """
    require_moderator(user)
    if action not in ("approve", "archive"):
        raise ValidationFailed(_("Choose approve or archive."), "action")
    done, refused = [], []
    for solution_id, version in ids.items():
        solution = db.session.get(Solution, solution_id)
        title = solution.title if solution is not None else f"#{solution_id}"
        try:
            if action == "approve":
                decide(user, solution_id, "approve", version=version)
            else:
                archive(user, solution_id, "Archived by a curator (bulk action).", version)
        except (InvalidTransition, NotFound) as error:
            refused.append(_("%(title)s: %(error)s", title=title, error=error))
        else:
            done.append(title)
    return done, refused
