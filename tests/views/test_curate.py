"""Curation: the queue, decisions with reasons, optimistic locking, revisions, tools, audit log."""

import csv
import io
import re

import pytest

from marketplace import search
from marketplace.extensions import db
from marketplace.models import AuditEvent, ModerationEvent, Solution, SolutionRevision
from marketplace.services import entries
from marketplace.services.moderation import apply_transition, record_created
from marketplace.vocab import Status


@pytest.fixture
def city(make_city):
    return make_city(slug="guimaraes", name="Guimarães", country="PT")


@pytest.fixture
def author(make_user, city):
    return make_user(email="autor@guimaraes.example", role="publisher", city=city)


@pytest.fixture
def submit(make_solution, city, author):
    def make(**overrides) -> Solution:
        solution = make_solution(city=city, status=Status.DRAFT, **overrides)
        record_created(solution, author)
        apply_transition(solution, Status.SUBMITTED, author)
        db.session.commit()
        return solution

    return make


def flashes(html: str) -> list[str]:
    return re.findall(r'class="flash flash-\w+"[^>]*>(.*?)</p>', html, re.S)


def test_queue_lists_submissions_and_revisions_oldest_first(
    as_curator, submit, make_solution, city, author
):
    first = submit(title="Older submission")
    second = submit(title="Newer submission")
    published = make_solution(city=city, title="Published with changes")
    db.session.add(
        SolutionRevision(
            solution_id=published.id,
            status="submitted",
            data={**entries.snapshot(published), "summary": "New"},
            author_id=author.id,
        )
    )
    db.session.commit()
    page = as_curator.get("/curate")
    assert page.status_code == 200
    order = re.findall(r'/curate/entries/\d+">([^<]+)<', page.text)
    assert order.index(first.title) < order.index(second.title)
    assert "Changes to a published entry" in page.text
    filtered = as_curator.get("/curate?kind=best_practice")
    assert first.title not in filtered.text
    assert "Nothing waits for a decision with these filters." in filtered.text


def test_approve_publishes_indexes_mails_and_audits(app, as_curator, submit, outbox, author):
    solution = submit(title="Heat pumps for social housing")
    search.rebuild()
    response = as_curator.post(
        f"/curate/entries/{solution.id}/decide",
        data={"decision": "approve", "version": solution.version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert solution.status == Status.PUBLISHED
    assert solution.published_at is not None
    assert app.test_client().get(f"/solutions/{solution.slug}").status_code == 200
    found = app.test_client().get("/api/v1/solutions?q=heat+pumps").get_json()
    assert [r["slug"] for r in found["results"]] == [solution.slug]
    (message,) = outbox()
    assert message["To"] == author.email
    assert "is published" in message.get_content()
    actions = db.session.scalars(db.select(AuditEvent.action)).all()
    assert "entry.published" in actions


@pytest.mark.parametrize(
    ("decision", "status", "message"),
    [
        ("request_changes", Status.CHANGES_REQUESTED, "Say what should change"),
        ("reject", Status.REJECTED, "Give the reason for rejecting"),
    ],
)
def test_changes_and_rejection_need_a_comment_the_author_sees(
    client_for, as_curator, submit, author, decision, status, message
):
    solution = submit()
    refused = as_curator.post(f"/curate/entries/{solution.id}/decide", data={"decision": decision})
    assert any(message in f for f in flashes(as_curator.get(refused.location).text))
    db.session.expire_all()
    assert solution.status == Status.SUBMITTED
    as_curator.post(
        f"/curate/entries/{solution.id}/decide",
        data={"decision": decision, "comment": "Add the energy figures."},
    )
    db.session.expire_all()
    assert solution.status == status
    author_client = client_for(author)
    assert "Add the energy figures." in author_client.get("/my").text


def test_an_impossible_decision_changes_nothing(as_curator, make_solution, city):
    archived = make_solution(city=city, status=Status.ARCHIVED)
    response = as_curator.post(
        f"/curate/entries/{archived.id}/decide", data={"decision": "approve"}
    )
    page = as_curator.get(response.location)
    assert any("Nothing of this entry waits for a decision." in f for f in flashes(page.text))
    db.session.expire_all()
    assert archived.status == Status.ARCHIVED


def test_the_second_of_two_concurrent_decisions_is_refused(
    client_for, as_curator, submit, make_user
):
    solution = submit()
    seen = solution.version
    other = client_for(make_user(email="second@example.org", role="curator"))
    first = other.post(
        f"/curate/entries/{solution.id}/decide", data={"decision": "approve", "version": seen}
    )
    assert first.status_code == 302
    second = as_curator.post(
        f"/curate/entries/{solution.id}/decide",
        data={"decision": "reject", "comment": "No.", "version": seen},
    )
    page = as_curator.get(second.location)
    assert any("Another curator" in f for f in flashes(page.text))
    db.session.expire_all()
    assert solution.status == Status.PUBLISHED
    decisions = db.session.scalars(
        db.select(ModerationEvent.to_status).where(ModerationEvent.solution_id == solution.id)
    ).all()
    assert decisions.count(Status.PUBLISHED) == 1
    assert Status.REJECTED not in decisions


def _revise(solution, author, **changes):
    db.session.add(
        SolutionRevision(
            solution_id=solution.id,
            status="submitted",
            data={**entries.snapshot(solution), **changes},
            author_id=author.id,
        )
    )
    db.session.commit()


def test_review_page_shows_a_field_by_field_diff(as_curator, make_solution, city, author):
    solution = make_solution(city=city, summary="Buses every ten minutes.")
    _revise(solution, author, summary="Buses every <b>five</b> minutes.")
    page = as_curator.get(f"/curate/entries/{solution.id}")
    assert "What the changes change" in page.text
    assert "<del>ten</del>" in page.text
    assert "<ins>&lt;b&gt;five&lt;/b&gt;</ins>" in page.text
    assert "<b>five" not in page.text


@pytest.mark.parametrize("decision", ["approve", "request_changes", "reject"])
def test_revision_decisions(app, as_curator, make_solution, city, author, decision):
    solution = make_solution(city=city, summary="Old summary.")
    _revise(solution, author, summary="New summary.")
    as_curator.post(
        f"/curate/entries/{solution.id}/decide",
        data={"decision": decision, "comment": "Reason given."},
    )
    db.session.expire_all()
    assert solution.status == Status.PUBLISHED
    public = app.test_client().get(f"/solutions/{solution.slug}").text
    if decision == "approve":
        assert solution.summary == "New summary."
        assert solution.revision is None
        assert "New summary." in public
    else:
        assert solution.summary == "Old summary."
        assert "Old summary." in public
        assert (solution.revision is None) == (decision == "reject")


def test_archive_needs_a_reason_and_republish_restores(app, as_curator, make_solution, city):
    solution = make_solution(city=city, title="Tourism data space")
    search.rebuild()
    as_curator.post(f"/curate/entries/{solution.id}/archive", data={"reason": ""})
    db.session.expire_all()
    assert solution.status == Status.PUBLISHED
    as_curator.post(f"/curate/entries/{solution.id}/archive", data={"reason": "Project ended."})
    visitor = app.test_client()
    assert visitor.get(f"/solutions/{solution.slug}").status_code == 404
    assert visitor.get("/api/v1/solutions?q=tourism").get_json()["total"] == 0
    as_curator.post(f"/curate/entries/{solution.id}/republish")
    assert visitor.get(f"/solutions/{solution.slug}").status_code == 200
    assert visitor.get("/api/v1/solutions?q=tourism").get_json()["total"] == 1


def test_featuring_puts_an_entry_on_the_home_page(app, as_curator, make_solution, city):
    solution = make_solution(city=city, title="A featured practice")
    as_curator.post(f"/curate/entries/{solution.id}/feature", data={"featured": "1"})
    home = app.test_client().get("/").text
    assert "A featured practice" in home.split("Latest")[0]
    as_curator.post(f"/curate/entries/{solution.id}/feature", data={"featured": "0"})
    db.session.expire_all()
    assert not solution.featured


def test_curator_edits_any_entry_directly_and_it_is_logged(
    app, as_curator, make_solution, city, taxonomy
):
    solution = make_solution(
        city=city, title="Smart bins", contact_email="bins@city.example", description="x" * 250
    )
    form = as_curator.get(f"/my/entries/{solution.id}/edit")
    assert "Save changes (curator edit)" in form.text
    data = {**entries.snapshot(solution), "title": "Smart waste bins", "action": "save"}
    data["contact_public"] = "y"
    response = as_curator.post(f"/my/entries/{solution.id}/edit", data=data)
    assert response.status_code == 302, response.text[-3000:]
    db.session.expire_all()
    assert solution.title == "Smart waste bins"
    assert solution.revision is None
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "entry.curator_edit")
    )
    assert "title" in event.detail


def test_bulk_approve_reports_each_outcome(as_curator, submit, make_solution, city):
    one, two = submit(title="Bulk one"), submit(title="Bulk two")
    archived = make_solution(city=city, status=Status.ARCHIVED, title="Not waiting")
    response = as_curator.post(
        "/curate/bulk", data={"action": "approve", "entry": [one.id, two.id, archived.id]}
    )
    messages = flashes(as_curator.get(response.location).text)
    assert any("Done for 2" in m for m in messages)
    assert any("Not waiting" in m for m in messages)
    db.session.expire_all()
    assert one.status == two.status == Status.PUBLISHED
    assert archived.status == Status.ARCHIVED
    archive = as_curator.post("/curate/bulk", data={"action": "archive", "entry": [one.id]})
    assert archive.status_code == 302
    db.session.expire_all()
    assert one.status == Status.ARCHIVED


def test_audit_log_filters_and_exports_csv(as_curator, submit, curator):
    solution = submit(title="=HYPERLINK(evil)")
    as_curator.post(
        f"/curate/entries/{solution.id}/decide",
        data={"decision": "request_changes", "comment": "More detail"},
    )
    page = as_curator.get(f"/curate/audit?actor={curator.email}")
    assert "entry.changes_requested" in page.text
    assert "entry.submitted" not in page.text
    by_entry = as_curator.get(f"/curate/audit?entry={solution.slug}&action=entry")
    assert "entry.submitted" in by_entry.text
    assert "nothing" not in as_curator.get("/curate/audit?since=not-a-date").text.lower()
    exported = as_curator.get(f"/curate/audit.csv?entry={solution.id}")
    assert exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0][:3] == ["time (UTC)", "actor", "action"]
    actions = [row[2] for row in rows[1:]]
    assert "entry.changes_requested" in actions
    assert all(not row[4].startswith("=") for row in rows[1:])


@pytest.mark.parametrize(
    "path", ["/curate", "/curate/entries/1", "/curate/audit", "/curate/audit.csv"]
)
def test_curation_is_for_curators(client, auth, make_user, city, path):
    assert client.get(path).status_code == 302
    publisher = make_user(email="p@guimaraes.example", role="publisher", city=city)
    auth.sign_in(publisher)
    assert client.get(path).status_code == 403
    assert client.post("/curate/entries/1/decide", data={"decision": "approve"}).status_code == 403


def test_approving_a_revision_keeps_adoptions_made_meanwhile(
    as_curator, make_solution, city, author, make_city
):
    from marketplace.models import Adoption

    solution = make_solution(city=city)
    _revise(solution, author, summary="Changed.")
    later = make_city(slug="later", name="Later City")
    solution.adoptions.append(Adoption(city=later, note="We run it too"))
    db.session.commit()
    as_curator.post(f"/curate/entries/{solution.id}/decide", data={"decision": "approve"})
    db.session.expire_all()
    assert solution.summary == "Changed."
    assert [(a.city.slug, a.note) for a in solution.adoptions] == [("later", "We run it too")]


def test_a_curator_edit_does_not_publish_the_authors_pending_changes(
    app, as_curator, make_solution, city, author
):
    solution = make_solution(
        city=city, title="Approved title", description="x" * 250, contact_email="c@city.example"
    )
    _revise(solution, author, title="Unreviewed title")
    form = as_curator.get(f"/my/entries/{solution.id}/edit")
    assert 'value="Approved title"' in form.text
    assert "Unreviewed title" not in form.text


def test_changes_resubmitted_after_the_curator_looked_are_not_approved_unseen(
    as_curator, make_solution, city, author, auth, app
):
    from marketplace.services import publishing

    solution = make_solution(
        city=city,
        title="Bike lanes",
        description="x" * 250,
        contact_email="c@city.example",
        summary="Old.",
    )
    _revise(solution, author, summary="First proposal.")
    seen = solution.version
    publishing.save_entry(
        author, solution, {**entries.snapshot(solution), "summary": "Spam."}, submit=True
    )
    response = as_curator.post(
        f"/curate/entries/{solution.id}/decide", data={"decision": "approve", "version": seen}
    )
    assert any("Another curator" in f for f in flashes(as_curator.get(response.location).text))
    db.session.expire_all()
    assert solution.summary == "Old."
    for unreadable in ("abc", "²", "-1", "0", str(2**31), "9" * 5000):
        bogus = as_curator.post(
            f"/curate/entries/{solution.id}/decide",
            data={"decision": "approve", "version": unreadable},
        )
        assert bogus.status_code == 302, unreadable
        assert any("Another curator" in f for f in flashes(as_curator.get(bogus.location).text))


@pytest.mark.parametrize(
    "query",
    [
        "entry=99999999999999999999999",
        "entry=%C2%B2",  # "²": a digit to str.isdigit, not to int
        "until=9999-12-31",
        "since=0001-01-01&until=9999-12-31",
    ],
)
def test_odd_audit_filters_give_a_page_not_an_error(as_curator, query):
    assert as_curator.get(f"/curate/audit?{query}").status_code == 200
    assert as_curator.get(f"/curate/audit.csv?{query}").status_code == 200


@pytest.mark.parametrize(
    "value", ["99999999999999999999999", str(2**31), "0", "²", "²:1", "٣", "9" * 5000]
)
def test_bulk_ignores_values_that_cannot_be_entries(as_curator, value):
    response = as_curator.post("/curate/bulk", data={"action": "approve", "entry": value})
    assert response.status_code == 302
    assert flashes(as_curator.get(response.location).text)[-1] == "Select at least one entry."


@pytest.mark.parametrize("version", ["²", "abc", str(2**31)])
def test_bulk_treats_an_unreadable_version_as_outdated(as_curator, submit, version):
    solution = submit(title="Seen at some version")
    response = as_curator.post(
        "/curate/bulk", data={"action": "approve", "entry": f"{solution.id}:{version}"}
    )
    assert response.status_code == 302
    assert any("Another curator" in m for m in flashes(as_curator.get(response.location).text))
    db.session.expire_all()
    assert solution.status == Status.SUBMITTED
