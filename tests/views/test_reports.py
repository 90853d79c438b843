"""Reports from the public: the form on an entry, and the curators' list and decisions."""

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Adoption, AuditEvent, City, Report, Solution
from marketplace.services import reports
from marketplace.vocab import Status

REPORT = {"reason": "outdated", "text": "The pilot ended in 2023.", "reporter_email": ""}


@pytest.fixture
def entry(make_solution):
    return make_solution(title="Bike counters on every bridge")


def _file(entry, reason="outdated", text="The pilot ended in 2023.", ip="192.0.2.1", **extra):
    return reports.create_report(entry, reason, text, ip, **extra)


def _stored():
    return db.session.scalars(select(Report).order_by(Report.id)).all()


def test_anyone_reports_a_published_entry(client, entry):
    page = client.get(f"/solutions/{entry.slug}")
    assert "Report this entry" in page.text
    form = client.get(f"/solutions/{entry.slug}/report")
    assert form.status_code == 200
    assert "Duplicate of another entry" in form.text
    response = client.post(
        f"/solutions/{entry.slug}/report",
        data={**REPORT, "reporter_email": "ana@example.org"},
        environ_base={"REMOTE_ADDR": "192.0.2.10"},
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/solutions/{entry.slug}")
    assert "Your report was sent" in client.get(response.location).text
    (report,) = _stored()
    assert (report.reason, report.text, report.reporter_email) == (
        "outdated",
        "The pilot ended in 2023.",
        "ana@example.org",
    )
    assert report.ip_hash == reports.hash_ip("192.0.2.10")
    assert db.session.scalars(select(AuditEvent.action)).all() == ["report.created"]


def test_a_duplicate_names_the_other_entry_by_its_address(client, make_solution, entry):
    original = make_solution(title="Bridge bike counters, first edition")
    response = client.post(
        f"/solutions/{entry.slug}/report",
        data={
            "reason": "duplicate",
            "text": "",
            "duplicate_of": f"http://localhost/solutions/{original.slug}",
        },
    )
    assert response.status_code == 302
    assert _stored()[0].duplicate_of_id == original.id


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.ARCHIVED])
def test_unpublished_entries_cannot_be_reported(client, auth, curator, make_solution, status):
    hidden = make_solution(status=status)
    assert client.get(f"/solutions/{hidden.slug}/report").status_code == 404
    assert client.post(f"/solutions/{hidden.slug}/report", data=REPORT).status_code == 404
    auth.sign_in(curator)  # curators see the entry, but it takes no reports
    assert "Report this entry" not in client.get(f"/solutions/{hidden.slug}").text
    assert client.get(f"/solutions/{hidden.slug}/report").status_code == 404
    assert client.get("/solutions/no-such-entry/report").status_code == 404
    assert _stored() == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"reason": "boring"}, "Not a valid choice"),
        ({"reason": ""}, "Choose what is wrong"),
        ({"text": "x" * 2001}, "Keep it to 2000 characters."),
        ({"text": ""}, "Tell the curators what is wrong."),
        ({"reporter_email": "ana at example"}, "Enter a valid email address"),
        ({"reason": "duplicate", "duplicate_of": "no-such-entry"}, "There is no published entry"),
    ],
)
def test_invalid_reports_are_refused_and_keep_what_was_typed(client, entry, values, message):
    data = {**REPORT, "reporter_email": "kept@example.org", **values}
    response = client.post(f"/solutions/{entry.slug}/report", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert "kept@example.org" in response.text or "ana at example" in response.text
    if data["text"] and len(data["text"]) < 100:
        assert data["text"] in response.text
    assert _stored() == []


def test_reports_are_rate_limited_per_address(app, client, entry):
    app.config["REPORTS_PER_HOUR"] = 2
    here, there = {"REMOTE_ADDR": "198.51.100.5"}, {"REMOTE_ADDR": "198.51.100.6"}
    url = f"/solutions/{entry.slug}/report"
    for _ in range(2):
        assert client.post(url, data=REPORT, environ_base=here).status_code == 302
    typed = {**REPORT, "text": "A third, long-winded report."}
    refused = client.post(url, data=typed, environ_base=here)
    assert refused.status_code == 429
    assert "try again in an hour" in refused.text
    assert "A third, long-winded report." in refused.text  # kept
    assert client.post(url, data=typed, environ_base=there).status_code == 302
    assert len(_stored()) == 3


def test_an_expired_form_shows_the_report_again(csrf_app, csrf_token_in):
    with csrf_app.app_context():
        city = City(slug="ghent", name="Ghent", country="BE", role="core")
        db.session.add(
            Solution(slug="s", kind="solution", title="S", city=city, status=Status.PUBLISHED)
        )
        db.session.commit()
    client = csrf_app.test_client()
    refused = client.post("/solutions/s/report", data={**REPORT, "text": "Typed before expiry"})
    assert refused.status_code == 400
    assert "Typed before expiry" in refused.text
    assert "The form had expired" in refused.text
    token = csrf_token_in(refused.text)
    sent = client.post("/solutions/s/report", data={**REPORT, "csrf_token": token})
    assert sent.status_code == 302
    with csrf_app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Report)) == 1


@pytest.mark.parametrize(
    ("url", "method"),
    [
        ("/curate/reports", "get"),
        ("/curate/reports/{id}", "get"),
        ("/curate/reports/{id}", "post"),
    ],
)
def test_curator_pages_need_a_curator(client, auth, make_user, entry, url, method):
    report = _file(entry)
    url = url.format(id=report.id)
    data = {"decision": "archive", "note": "Gone."}
    anonymous = getattr(client, method)(url, data=data)
    assert anonymous.status_code == 302
    assert "/login" in anonymous.location
    publisher = make_user(role="publisher", city=entry.city)
    auth.sign_in(publisher)
    assert getattr(client, method)(url, data=data).status_code == 403
    db.session.expire_all()
    assert report.status == "open"
    assert entry.status == Status.PUBLISHED


def test_admins_handle_reports_too(client, auth, make_user, entry):
    report = _file(entry)
    admin = make_user(role="admin")
    auth.sign_in(admin)
    assert client.get("/curate/reports").status_code == 200
    assert client.get(f"/curate/reports/{report.id}").status_code == 200
    assert client.get(f"/curate/reports/{report.id + 1}").status_code == 404


def test_the_list_shows_open_reports_oldest_first_and_filters_decided_ones(
    as_curator, make_solution, entry, curator
):
    second_entry = make_solution(title="Smart bins downtown")
    _file(entry, text="First report text")
    _file(second_entry, reason="incorrect", text="Second report text")
    dismissed = _file(entry, reason="inappropriate", text="Third report text")
    reports.decide(curator, dismissed, "dismiss", "Nothing wrong.")
    page = as_curator.get("/curate/reports")
    assert page.status_code == 200
    text = page.text
    assert text.index("First report text") < text.index("Second report text")
    assert "Bike counters on every bridge" in text
    assert "Incorrect information" in text
    assert "Third report text" not in text
    assert "Open (2)" in text
    assert "Dismissed (1)" in text
    decided = as_curator.get("/curate/reports?status=dismissed").text
    assert "Third report text" in decided
    assert "First report text" not in decided
    assert "First report text" in as_curator.get("/curate/reports?status=bogus").text


def test_the_review_page_shows_the_report_and_the_entry(as_curator, make_solution, entry):
    original = make_solution(title="The original counters")
    report = _file(
        entry,
        reason="duplicate",
        text="Same as the other",
        reporter_email="ana@example.org",
        duplicate_of=original.slug,
    )
    _file(entry, reason="incorrect", text="Another report on it")
    page = as_curator.get(f"/curate/reports/{report.id}")
    assert page.status_code == 200
    for shown in (
        "Same as the other",
        "ana@example.org",
        "Bike counters on every bridge",
        "The original counters",
        "Another report on it",
        f'value="{original.slug}"',  # the merge target is filled in
    ):
        assert shown in page.text


def test_archive_takes_the_entry_off_the_public_catalogue(as_curator, client, entry, curator):
    report = _file(entry)
    response = as_curator.post(
        f"/curate/reports/{report.id}", data={"decision": "archive", "note": "Pilot ended."}
    )
    assert response.status_code == 302
    assert response.location.endswith("/curate/reports")
    db.session.expire_all()
    assert (report.status, report.resolution, report.note) == (
        "resolved",
        "archive",
        "Pilot ended.",
    )
    assert entry.status == Status.ARCHIVED
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["report.created", "entry.archived", "report.resolved"]
    as_curator.post("/logout")
    assert client.get(f"/solutions/{entry.slug}").status_code == 404


def test_merge_moves_adoptions_to_the_duplicate(as_curator, make_city, make_solution, entry):
    original = make_solution(title="The original counters")
    ljubljana = make_city(name="Ljubljana")
    entry.adoptions = [Adoption(city=ljubljana, note="On 12 bridges")]
    db.session.commit()
    report = _file(entry, reason="duplicate", text="", duplicate_of=original.slug)
    response = as_curator.post(
        f"/curate/reports/{report.id}",
        data={
            "decision": "merge",
            "target": f"http://localhost/solutions/{original.slug}",
            "note": "Same project written up twice.",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert entry.status == Status.ARCHIVED
    assert [(a.city.name, a.note) for a in original.adoptions] == [("Ljubljana", "On 12 bridges")]
    assert report.resolution == "merge"
    public = as_curator.get(f"/solutions/{original.slug}").text
    assert "Ljubljana" in public


def test_merge_without_a_valid_target_keeps_the_note(as_curator, entry):
    report = _file(entry)
    response = as_curator.post(
        f"/curate/reports/{report.id}",
        data={"decision": "merge", "target": entry.slug, "note": "My careful note"},
    )
    assert response.status_code == 400
    assert "Give another entry than this one." in response.text
    assert "My careful note" in response.text
    db.session.expire_all()
    assert report.status == "open"
    assert entry.status == Status.PUBLISHED


def test_edit_resolves_and_opens_the_entry_form(as_curator, entry):
    report = _file(entry)
    response = as_curator.post(
        f"/curate/reports/{report.id}", data={"decision": "edit", "note": "Will fix the dates."}
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/my/entries/{entry.id}/edit")
    assert as_curator.get(response.location).status_code == 200
    db.session.expire_all()
    assert (report.status, report.resolution) == ("resolved", "edit")


def test_dismiss_needs_a_note_and_is_logged(as_curator, entry, curator):
    report = _file(entry)
    url = f"/curate/reports/{report.id}"
    missing = as_curator.post(url, data={"decision": "dismiss", "note": ""})
    assert missing.status_code == 400
    assert "Write a note explaining the decision." in missing.text
    assert (
        as_curator.post(url, data={"decision": "dismiss", "note": "Accurate."}).status_code == 302
    )
    db.session.expire_all()
    assert report.status == "dismissed"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == curator.id)).one()
    assert (event.action, event.detail) == ("report.dismissed", "Accurate.")
    page = as_curator.get(url).text
    assert "Dismissed" in page
    assert "by Cora" in page
    assert 'name="note"' not in page  # no form for a decided report


def test_a_second_decision_is_refused(as_curator, entry):
    report = _file(entry)
    url = f"/curate/reports/{report.id}"
    assert as_curator.post(url, data={"decision": "dismiss", "note": "Fine."}).status_code == 302
    again = as_curator.post(url, data={"decision": "archive", "note": "Archive after all."})
    assert again.status_code == 409
    assert "already dismissed by Cora" in again.text
    db.session.expire_all()
    assert entry.status == Status.PUBLISHED
    assert report.note == "Fine."


def test_only_dismissing_is_offered_once_the_entry_is_archived(as_curator, entry, curator):
    first, second = _file(entry), _file(entry, reason="incorrect")
    reports.decide(curator, first, "archive", "Gone.")
    url = f"/curate/reports/{second.id}"
    page = as_curator.get(url).text
    assert "can only be dismissed" in page
    assert 'value="archive"' not in page
    refused = as_curator.post(url, data={"decision": "archive", "note": "Again."})
    assert refused.status_code == 400
    assert (
        as_curator.post(url, data={"decision": "dismiss", "note": "Archived."}).status_code == 302
    )
