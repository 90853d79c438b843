"""Reports from the public: filing (validation, rate limit, no raw IP) and curators' decisions."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Adoption, AuditEvent, ModerationEvent, Report
from marketplace.services import reports
from marketplace.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from marketplace.sqltypes import utc_now
from marketplace.vocab import Status

IP = "203.0.113.7"


@pytest.fixture
def entry(make_solution):
    return make_solution(title="Old parking app")


def _report(entry, reason="outdated", text="The app was replaced in 2024.", **extra):
    return reports.create_report(entry, reason, text, extra.pop("ip", IP), **extra)


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_report_is_stored_open_and_audited_without_the_raw_ip(entry):
    report = _report(entry, reporter_email=" Ana@Example.ORG ")
    assert report.status == "open"
    assert report.reporter_email == "ana@example.org"
    assert report.ip_hash == reports.hash_ip(IP)
    assert IP not in report.ip_hash
    assert len(report.ip_hash) == 64
    (event,) = db.session.scalars(select(AuditEvent)).all()
    assert (event.action, event.actor_id, event.solution_id) == ("report.created", None, entry.id)
    assert "replaced in 2024" in event.detail
    assert "ana@example.org" not in event.detail
    assert reports.open_count() == 1


def test_the_ip_hash_depends_on_the_secret_key(app, entry):
    first = reports.hash_ip(IP)
    app.config["SECRET_KEY"] = "another-secret"
    assert reports.hash_ip(IP) != first
    assert reports.hash_ip(None) == reports.hash_ip("unknown")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reason": "boring"}, "reason"),
        ({"text": "x" * (reports.TEXT_MAX + 1)}, "text"),
        ({"text": "   "}, "text"),
        ({"reporter_email": "not an address"}, "reporter_email"),
        ({"reporter_email": "a" * 250 + "@example.org"}, "reporter_email"),
        ({"reason": "duplicate", "duplicate_of": "no-such-entry"}, "duplicate_of"),
    ],
)
def test_invalid_reports_are_refused_next_to_their_field(entry, values, field):
    values = {"reason": "outdated", "text": "Something is wrong.", **values}
    reason, text = values.pop("reason"), values.pop("text")
    with pytest.raises(ValidationFailed) as refused:
        reports.create_report(entry, reason, text, IP, **values)
    assert refused.value.field == field
    assert db.session.scalars(select(Report)).all() == []


def test_a_duplicate_names_its_original_by_address_or_slug(make_solution, entry):
    original = make_solution(title="Parking app, the original")
    by_url = _report(
        entry,
        reason="duplicate",
        text="",
        duplicate_of=f"https://t4g.example/solutions/{original.slug}/report?x=1#top",
    )
    assert by_url.duplicate_of == original
    by_slug = _report(entry, reason="duplicate", text="", duplicate_of=original.slug.upper())
    assert by_slug.duplicate_of == original
    with pytest.raises(ValidationFailed, match="another entry"):
        _report(entry, reason="duplicate", duplicate_of=entry.slug)
    # The field only counts for duplicates.
    other_reason = _report(entry, reason="incorrect", duplicate_of="no-such-entry")
    assert other_reason.duplicate_of is None


@pytest.mark.parametrize(
    ("reference", "slug"),
    [
        ("abc", "abc"),
        (" /solutions/abc ", "abc"),
        ("https://x.example/solutions/abc/", "abc"),
        ("x.example/solutions/abc/report", "abc"),
        ("https://x.example/solutions/caf%C3%A9?page=2", "café"),
        ("", ""),
        ("https://x.example/", ""),
    ],
)
def test_slug_in_reads_addresses_and_slugs(reference, slug):
    assert reports.slug_in(reference) == slug


def test_only_published_entries_can_be_reported(make_solution):
    for status in (Status.DRAFT, Status.SUBMITTED, Status.ARCHIVED):
        entry = make_solution(status=status)
        with pytest.raises(NotFound):
            reports.get_reportable(entry.slug)
        with pytest.raises(NotFound):
            _report(entry)
    assert reports.get_reportable(make_solution().slug).status == Status.PUBLISHED


def test_reports_are_limited_per_address_and_hour(app, entry):
    app.config["REPORTS_PER_HOUR"] = 2
    _report(entry)
    _report(entry)
    with pytest.raises(reports.TooManyReports, match="try again") as refused:
        _report(entry)
    assert refused.value.status_code == 429
    assert _report(entry, ip="198.51.100.1").status == "open"  # another address
    for report in db.session.scalars(select(Report)):
        report.created_at = utc_now() - timedelta(minutes=61)
    db.session.commit()
    assert _report(entry).status == "open"  # an hour later
    assert reports.reports_last_hour(reports.hash_ip(IP)) == 1


def test_only_curators_and_admins_handle_reports(make_user, entry):
    report = _report(entry)
    publisher = make_user(role="publisher", city=entry.city)
    with pytest.raises(PermissionDenied):
        reports.get_report(publisher, report.id)
    with pytest.raises(PermissionDenied):
        reports.decide(publisher, report, "dismiss", "No.")
    with pytest.raises(PermissionDenied):
        reports.decide(None, report, "dismiss", "No.")
    admin = make_user(role="admin")
    assert reports.get_report(admin, report.id) == report
    with pytest.raises(NotFound):
        reports.get_report(admin, report.id + 1)


def test_dismiss_keeps_the_entry_and_logs_the_note(curator, entry):
    report = _report(entry)
    reports.decide(curator, report, "dismiss", "Still accurate, checked with the city.")
    assert (report.status, report.resolution) == ("dismissed", "")
    assert report.note == "Still accurate, checked with the city."
    assert report.resolved_by == curator
    assert report.resolved_at is not None
    assert entry.status == Status.PUBLISHED
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == curator.id)).one()
    assert event.action == "report.dismissed"
    assert event.detail == "Still accurate, checked with the city."
    assert reports.open_count() == 0


def test_resolve_with_edit_only_marks_the_report(curator, entry):
    report = _report(entry)
    reports.decide(curator, report, "edit", "Dates corrected.")
    assert (report.status, report.resolution) == ("resolved", "edit")
    assert entry.status == Status.PUBLISHED
    assert _actions() == ["report.created", "report.resolved"]


def test_resolve_with_archive_archives_the_entry_with_the_note(curator, entry):
    report = _report(entry)
    reports.decide(curator, report, "archive", "Service ended in 2024.")
    assert (report.status, report.resolution) == ("resolved", "archive")
    assert entry.status == Status.ARCHIVED
    event = db.session.scalars(select(ModerationEvent)).one()
    assert (event.to_status, event.comment, event.actor) == (
        Status.ARCHIVED,
        "Service ended in 2024.",
        curator,
    )
    assert _actions() == ["report.created", "entry.archived", "report.resolved"]


def test_merge_archives_the_entry_and_moves_adoptions(curator, make_city, make_solution, entry):
    original = make_solution(title="Parking app, the original")
    moving, both, owner = make_city(name="Moving"), make_city(name="Both"), original.city
    entry.adoptions = [
        Adoption(city=moving, note="Since 2023"),
        Adoption(city=both, note="Ours"),
        Adoption(city=owner),
    ]
    original.adoptions = [Adoption(city=both, note="Kept")]
    db.session.commit()
    report = _report(entry, reason="duplicate", text="", duplicate_of=original.slug)
    reports.decide(
        curator, report, "merge", "Same app.", f"https://t4g.example/solutions/{original.slug}"
    )
    assert (report.status, report.resolution) == ("resolved", "merge")
    assert entry.status == Status.ARCHIVED
    assert db.session.scalars(select(ModerationEvent)).one().comment == (
        "Merged into Parking app, the original"
    )
    db.session.expire_all()
    notes = {a.city.name: a.note for a in original.adoptions}
    assert notes == {"Moving": "Since 2023", "Both": "Kept"}
    # Cities already listed on the original, and its own city, stay on the archived entry.
    assert {a.city_id for a in entry.adoptions} == {both.id, owner.id}
    detail = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "report.resolved")
    ).one()
    assert "Same app." in detail
    assert "1 adoption(s) moved" in detail


@pytest.mark.parametrize(
    ("target", "message"),
    [("", "Give the address"), ("missing", "no published entry"), ("self", "another entry")],
)
def test_merge_needs_another_published_entry(curator, entry, target, message):
    report = _report(entry)
    with pytest.raises(ValidationFailed, match=message) as refused:
        reports.decide(
            curator, report, "merge", "Same.", entry.slug if target == "self" else target
        )
    assert refused.value.field == "target"
    db.session.expire_all()
    assert report.status == "open"
    assert entry.status == Status.PUBLISHED


def test_merge_into_an_unpublished_entry_is_refused(curator, make_solution, entry):
    draft = make_solution(status=Status.DRAFT)
    report = _report(entry)
    with pytest.raises(ValidationFailed, match="no published entry"):
        reports.decide(curator, report, "merge", "Same.", draft.slug)


@pytest.mark.parametrize(
    ("decision", "note", "field"),
    [("delete", "Note", "decision"), ("dismiss", "  ", "note"), ("dismiss", "x" * 2001, "note")],
)
def test_a_decision_needs_a_known_action_and_a_note(curator, entry, decision, note, field):
    report = _report(entry)
    with pytest.raises(ValidationFailed) as refused:
        reports.decide(curator, report, decision, note)
    assert refused.value.field == field
    assert report.status == "open"


def test_a_report_is_decided_once(curator, make_user, entry):
    report = _report(entry)
    reports.decide(curator, report, "dismiss", "Fine as it is.")
    other = make_user(role="curator")
    for decision in ("archive", "dismiss"):
        with pytest.raises(InvalidTransition, match="already dismissed by Cora"):
            reports.decide(other, report, decision, "Archive after all.")
    db.session.expire_all()
    assert (report.status, report.note, report.resolved_by) == (
        "dismissed",
        "Fine as it is.",
        curator,
    )
    assert entry.status == Status.PUBLISHED


def test_actions_on_an_entry_no_longer_published_are_refused(curator, entry):
    first, second = _report(entry), _report(entry, reason="incorrect")
    assert reports.others_open(first) == [second]
    reports.decide(curator, first, "archive", "Gone.")
    for decision in ("edit", "archive", "merge"):
        with pytest.raises(InvalidTransition, match="no longer published"):
            reports.decide(curator, second, decision, "Again.", "whatever")
    reports.decide(curator, second, "dismiss", "Archived already.")
    assert second.status == "dismissed"


def test_queue_lists_open_reports_oldest_first_and_counts_them(curator, make_solution, entry):
    later_entry = make_solution()
    old, new, decided = _report(entry), _report(later_entry), _report(entry)
    old.created_at = utc_now() - timedelta(days=3)
    db.session.commit()
    reports.decide(curator, decided, "dismiss", "No.")
    assert db.session.scalars(reports.queue()).all() == [old, new]
    assert db.session.scalars(reports.queue("dismissed")).all() == [decided]
    assert reports.counts() == {"open": 2, "resolved": 0, "dismissed": 1}
    assert reports.open_count() == 2
