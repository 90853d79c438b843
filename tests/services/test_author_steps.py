"""The author's steps (withdraw, archive, discard pending changes): one rule whoever calls them,
always audited with the real actor."""

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent, SolutionRevision
from marketplace.services import publishing
from marketplace.services.errors import PermissionDenied
from marketplace.vocab import Status


@pytest.fixture
def city_entry(make_solution, make_user):
    solution = make_solution(status=Status.PUBLISHED)
    author = make_user(role="publisher", city=solution.city)
    curator = make_user(role="curator")
    return solution, author, curator


def _actions() -> list[tuple[str, int | None]]:
    db.session.rollback()
    return [
        tuple(row) for row in db.session.execute(select(AuditEvent.action, AuditEvent.actor_id))
    ]


@pytest.mark.parametrize("step", [publishing.archive, publishing.withdraw])
def test_a_curator_cannot_take_the_authors_steps(city_entry, step):
    solution, _author, curator = city_entry
    with pytest.raises(PermissionDenied, match="city's own publishers"):
        step(curator, solution)
    assert db.session.get(type(solution), solution.id).status == Status.PUBLISHED
    assert _actions() == []


def test_a_curator_cannot_discard_the_authors_pending_changes(city_entry):
    solution, author, curator = city_entry
    db.session.add(SolutionRevision(solution_id=solution.id, data={}, author_id=author.id))
    db.session.commit()
    with pytest.raises(PermissionDenied):
        publishing.discard_revision(curator, solution)
    assert db.session.get(type(solution), solution.id).revision is not None


def test_discarding_and_withdrawing_changes_are_audited_with_the_author(city_entry):
    solution, author, _curator = city_entry
    db.session.add(
        SolutionRevision(solution_id=solution.id, data={}, author_id=author.id, status="submitted")
    )
    db.session.commit()
    publishing.withdraw(author, solution)
    publishing.discard_revision(author, solution)
    assert _actions() == [("revision.withdrawn", author.id), ("revision.discarded", author.id)]


def test_archiving_is_audited_with_the_author(city_entry):
    solution, author, _curator = city_entry
    publishing.archive(author, solution)
    assert _actions() == [("entry.archived", author.id)]
