"""The status state machine: allowed moves, audit events, publication time."""

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import ModerationEvent
from marketplace.services import moderation
from marketplace.services.errors import InvalidTransition
from marketplace.vocab import Status

ALLOWED = [
    (Status.DRAFT, Status.SUBMITTED),
    (Status.SUBMITTED, Status.PUBLISHED),
    (Status.SUBMITTED, Status.CHANGES_REQUESTED),
    (Status.SUBMITTED, Status.REJECTED),
    (Status.SUBMITTED, Status.DRAFT),
    (Status.CHANGES_REQUESTED, Status.SUBMITTED),
    (Status.PUBLISHED, Status.ARCHIVED),
    (Status.ARCHIVED, Status.PUBLISHED),
]
FORBIDDEN = [
    (Status.DRAFT, Status.PUBLISHED),
    (Status.CHANGES_REQUESTED, Status.PUBLISHED),
    (Status.REJECTED, Status.PUBLISHED),
    (Status.REJECTED, Status.SUBMITTED),
    (Status.PUBLISHED, Status.DRAFT),
    (Status.ARCHIVED, Status.DRAFT),
]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_transition_moves_and_is_audited(make_solution, make_user, current, target):
    curator = make_user(role="curator")
    solution = make_solution(status=current)
    event = moderation.apply_transition(solution, target, curator, "Looks good")
    db.session.commit()
    assert solution.status == target
    stored = db.session.scalars(select(ModerationEvent)).one()
    assert stored is event
    assert (stored.from_status, stored.to_status) == (current, target)
    assert stored.actor == curator
    assert stored.comment == "Looks good"


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_forbidden_transition_changes_nothing(make_solution, current, target):
    solution = make_solution(status=current)
    with pytest.raises(InvalidTransition, match="cannot become"):
        moderation.apply_transition(solution, target, None)
    assert solution.status == current
    assert db.session.scalars(select(ModerationEvent)).all() == []


def test_first_publication_sets_published_at_and_republishing_keeps_it(make_solution):
    solution = make_solution(status=Status.SUBMITTED)
    moderation.apply_transition(solution, Status.PUBLISHED, None)
    first = solution.published_at
    assert first is not None
    moderation.apply_transition(solution, Status.ARCHIVED, None)
    moderation.apply_transition(solution, Status.PUBLISHED, None)
    assert solution.published_at == first


def test_a_write_on_an_outdated_version_is_refused_by_the_database(app, make_solution):
    """The version column refuses an UPDATE based on a version another transaction replaced."""
    from sqlalchemy.orm.exc import StaleDataError

    from marketplace.extensions import db
    from marketplace.models import Solution

    solution = make_solution(status="submitted")
    db.session.execute(
        db.update(Solution).where(Solution.id == solution.id).values(version=Solution.version + 1),
        execution_options={"synchronize_session": False},  # as if another process did it
    )
    solution.title = "Changed on an old version"
    with pytest.raises(StaleDataError):
        db.session.commit()
    db.session.rollback()
