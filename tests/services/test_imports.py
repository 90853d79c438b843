"""The import: a dry run that lists every problem, then rows imported one transaction each, into
the review queue; an export re-imports into an empty catalogue, and importing again changes nothing.
"""

from datetime import UTC, datetime

import pytest
from databases import release
from sqlalchemy import func, select
from support import TEST_CONFIG

from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import (
    SDG,
    AuditEvent,
    Challenge,
    City,
    ModerationEvent,
    SearchChange,
    Solution,
    SolutionRevision,
    SolutionTranslation,
    Track,
    TransversalService,
    User,
)
from marketplace.services import csvfile, exports, import_csv, imports
from marketplace.services.errors import PermissionDenied
from marketplace.services.exports import SOLUTIONS
from marketplace.services.import_rows import SourceRow
from marketplace.vocab import RevisionStatus, Status

LONG = ("A description long enough for the review rules: " + "it works well. " * 12).strip()
COMPARED = (
    "slug", "kind", "language", "title", "summary", "description", "impact", "lessons",
    "maturity", "cost_band", "funding_model", "licence", "provider", "website", "languages",
    "tracks", "challenges", "services", "sdgs", "contact_name", "contact_email", "city",
)  # fmt: skip


def _full(make_solution, taxonomy, **overrides):
    values = {
        "description": LONG,
        "impact": "Less **energy**.",
        "lessons": "- start small\n- measure",
        "contact_name": "Ana",
        "contact_email": "ana@porto.example",
        "licence": "EUPL-1.2",
        "cost_band": "10k-50k",
        "funding_model": "=city budget",
        "provider": "Porto Energy",
        "website": "https://energy.porto.example/roofs",
        "languages": ["en", "pt", "ru"],  # ru: one the form does not offer
        "services": [taxonomy["service"]],
        "sdgs": taxonomy["sdgs"],
        "challenges": [taxonomy["challenges"]["retrofit"], taxonomy["challenges"]["last-mile"]],
    }
    return make_solution(**{**values, **overrides})


def _export() -> bytes:
    records = exports.solution_records(exports.published_ids(), "en")
    return "".join(exports.csv_lines(SOLUTIONS, records)).encode("utf-8")


def _rows(data: bytes) -> list[dict]:
    return [row.fields for row in import_csv.read("x.csv", data)]


def _csv(*rows: dict) -> bytes:
    header = list(dict.fromkeys(key for row in rows for key in row))
    lines = csvfile.lines(header, ([row.get(k, "") for k in header] for row in rows))
    return "".join(lines).encode("utf-8")


def _import(data: bytes, actor, default_city=None):
    plan = imports.check(import_csv.read, "x.csv", data, actor, default_city)
    return plan, imports.apply(plan, actor)


def _counts() -> dict:
    return {
        "solutions": db.session.scalar(select(func.count()).select_from(Solution)),
        "revisions": db.session.scalar(select(func.count()).select_from(SolutionRevision)),
        "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)),
        "events": db.session.scalar(select(func.count()).select_from(ModerationEvent)),
        "outbox": db.session.scalar(select(func.max(SearchChange.id))) or 0,
    }


@pytest.fixture
def second_app(tmp_path, empty_data_dir, copy_data, databases):
    """An empty catalogue of its own: the one an export is imported into."""
    settings = copy_data(empty_data_dir, tmp_path / "second", "empty")
    app = create_app({**TEST_CONFIG, **settings})
    yield app
    release(app)
    databases.discard(settings)


def _all(model) -> list:
    return list(db.session.scalars(select(model)))


def _same_taxonomy_and_cities(source_app, target_app):
    """Copy the taxonomy and the cities (not the entries) from one app to the other."""
    with source_app.app_context():
        tracks = [(t.slug, t.name, t.edition, t.position) for t in _all(Track)]
        challenges = [(c.slug, c.name, c.track.slug, c.position) for c in _all(Challenge)]
        services = [(s.slug, s.name) for s in db.session.scalars(select(TransversalService))]
        sdgs = [(s.number, s.name) for s in db.session.scalars(select(SDG))]
        cities = [(c.slug, c.name, c.country, c.role) for c in db.session.scalars(select(City))]
    with target_app.app_context():
        made = {s: Track(slug=s, name=n, edition=e, position=p) for s, n, e, p in tracks}
        db.session.add_all(made.values())
        db.session.add_all(
            Challenge(slug=s, name=n, track=made[t], position=p) for s, n, t, p in challenges
        )
        db.session.add_all(TransversalService(slug=s, name=n) for s, n in services)
        db.session.add_all(SDG(number=n, name=name) for n, name in sdgs)
        db.session.add_all(City(slug=s, name=n, country=c, role=r) for s, n, c, r in cities)
        db.session.add(User(email="cura@example.org", display_name="Cora", role="curator"))
        db.session.commit()


def test_an_export_imports_into_an_empty_catalogue_as_the_same_entries(
    app, second_app, make_solution, taxonomy, porto
):
    app.config["BASE_URL"] = second_app.config["BASE_URL"]
    _full(make_solution, taxonomy, slug="solar-roofs", title="Solar roofs", city=porto)
    _full(
        make_solution,
        taxonomy,
        slug="bike-lanes-2",
        title="Bike lanes",
        kind="best_practice",
        summary="=SUM(A1) is what this summary starts with",
        licence="",
        services=[],
        sdgs=[],
        challenges=[taxonomy["challenges"]["congestion"]],
    )
    make_solution(slug="a-draft", title="Not exported", status=Status.DRAFT, description=LONG)
    data = _export()
    exported = {row["slug"]: row for row in _rows(data)}
    assert set(exported) == {"solar-roofs", "bike-lanes-2"}
    _same_taxonomy_and_cities(app, second_app)

    with second_app.app_context():
        curator = db.session.scalar(select(User))
        plan, summary = _import(data, curator)
        assert [row.action for row in plan.rows] == ["create", "create"], plan.rows
        assert summary.counts["create"] == 2
        assert summary.counts["failed"] == 0
        imported = {row["slug"]: row for row in _rows(_export_all())}
        entries = list(db.session.scalars(select(Solution)))
        assert {s.status for s in entries} == {Status.SUBMITTED}  # waiting for review
        assert all(s.published_at is None for s in entries)
    for slug, row in exported.items():
        for column in COMPARED:
            assert imported[slug][column] == row[column], (slug, column)


def _export_all() -> bytes:
    """Every entry, published or not, as the export writes a published one."""
    entries = db.session.scalars(select(Solution).options(*exports.records.RECORD_OPTIONS))
    rows = [exports.records.solution_record(s, "en") for s in entries]
    return "".join(exports.csv_lines(SOLUTIONS, rows)).encode("utf-8")


def test_importing_the_same_file_again_changes_nothing(make_solution, taxonomy, porto, curator):
    _full(make_solution, taxonomy, slug="solar-roofs", title="Solar roofs", city=porto)
    data = _export()
    plan, summary = _import(data, curator)
    assert [row.action for row in plan.rows] == ["unchanged"]
    new = _csv({"title": "Heat pumps", "city": "porto", "kind": "solution", "maturity": "idea",
                "description": LONG, "summary": "Pumps.", "challenges": "retrofit",
                "contact_email": "x@porto.example"})  # fmt: skip
    _import(new, curator)
    before = _counts()
    plan, summary = _import(new, curator)
    assert [row.action for row in plan.rows] == ["unchanged"]
    assert summary.counts["unchanged"] == 1
    assert _counts() == before  # no entry, revision, audit, moderation or outbox row


def test_a_change_to_a_published_entry_waits_as_a_pending_revision(
    make_solution, taxonomy, porto, curator
):
    entry = _full(make_solution, taxonomy, slug="solar-roofs", title="Solar roofs", city=porto)
    rows = _rows(_export())
    rows[0]["summary"] = "A new summary."
    plan, summary = _import(_csv(rows[0]), curator)
    assert [row.action for row in plan.rows] == ["update"]
    assert summary.counts["update"] == 1
    db.session.refresh(entry)
    assert entry.status == Status.PUBLISHED
    assert entry.summary != "A new summary."  # the public keeps the approved version
    assert entry.revision.status == RevisionStatus.SUBMITTED
    assert entry.revision.data["summary"] == "A new summary."
    plan, _ = _import(_csv(rows[0]), curator)
    assert [row.action for row in plan.rows] == ["unchanged"]  # the revision holds it already


def test_a_draft_is_updated_in_place_and_submitted(make_solution, taxonomy, porto, curator):
    entry = _full(make_solution, taxonomy, slug="roofs", title="Roofs", city=porto,
                  status=Status.DRAFT)  # fmt: skip
    plan, _ = _import(_csv({"title": "roofs!", "city": "porto", "impact": "More."}), curator)
    assert [(row.action, row.entry_id) for row in plan.rows] == [("update", entry.id)]
    db.session.refresh(entry)
    assert (entry.status, entry.impact, entry.title) == (Status.SUBMITTED, "More.", "roofs!")


def test_an_entry_waiting_for_review_is_not_updated(make_solution, taxonomy, porto, curator):
    _full(make_solution, taxonomy, slug="roofs", title="Roofs", city=porto, status="submitted")
    plan, _ = _import(_csv({"slug": "roofs", "title": "Roofs", "impact": "More."}), curator)
    assert plan.rows[0].action == "refused"
    assert "waits for review" in plan.rows[0].problems[0]


def test_translations_of_a_row_become_the_entrys(make_solution, taxonomy, porto, curator):
    rows = [
        SourceRow(
            "tool.yml",
            _good(title="Roofs", summary="Solar.", contact_email="a@porto.example"),
            translations={"pt": {"title": "Telhados", "summary": "Sol."}},
        )
    ]
    plan = imports.plan(rows, curator)
    assert plan.rows[0].action == "create", plan.rows[0].problems
    imports.apply(plan, curator)
    entry = db.session.scalar(select(Solution).where(Solution.title == "Roofs"))
    assert [(t.language, t.title, t.summary) for t in entry.translations] == [
        ("pt", "Telhados", "Sol.")
    ]
    assert imports.plan(rows, curator).rows[0].action == "unchanged"
    assert db.session.scalar(select(func.count()).select_from(SolutionTranslation)) == 1


def _good(**changes) -> dict:
    row = {
        "title": "Heat pumps for schools",
        "city": "porto",
        "kind": "solution",
        "maturity": "pilot",
        "summary": "Pumps.",
        "description": LONG,
        "challenges": "retrofit",
        "contact_email": "x@porto.example",
    }
    return {**row, **changes}


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"challenges": "retrofit;no-such"}, "challenges: there is no no-such"),
        ({"services": "nope"}, "services: there is no nope"),
        ({"sdgs": "7;99"}, "99 is no SDG"),
        ({"tracks": "green;nowhere"}, "tracks: there is no nowhere"),
        ({"tracks": "mobility"}, "follows from the challenges"),
        ({"licence": "WTFPL"}, "licence: WTFPL"),
        ({"kind": "gadget"}, "kind:"),
        ({"maturity": "ancient"}, "maturity:"),
        ({"cost_band": "cheap"}, "cost_band:"),
        ({"title": ""}, "title:"),
        ({"challenges": ""}, "challenges:"),
        ({"city": "atlantis"}, "no city atlantis"),
        ({"city": ""}, "name the entry's city"),
        ({"title": "Bell\x07 pumps"}, "control characters"),
        ({"description": LONG + "\x1b[31m"}, "control characters"),
        ({"provider": "p" * 201}, "provider: keep it to 200"),
        ({"website": "not a web address"}, "website:"),
        ({"contact_email": "nobody"}, "contact_email:"),
        ({"languages": "pt;klingon"}, "klingon is no language"),
        ({"languages": "pt;zz"}, "zz is no language"),
        ({"language": "xx"}, "language:"),
    ],
)
def test_every_problem_of_a_row_is_listed_and_the_row_refused(
    changes, words, taxonomy, porto, curator
):
    plan = imports.check(import_csv.read, "x.csv", _csv(_good(**changes)), curator)
    row = plan.rows[0]
    assert row.action == "refused"
    assert any(words in problem for problem in row.problems), row.problems
    summary = imports.apply(plan, curator)
    assert summary.counts["refused"] == 1
    assert db.session.scalar(select(func.count()).select_from(Solution)) == 0


def test_a_retired_challenge_is_not_given_anew(make_solution, taxonomy, porto, curator):
    taxonomy["challenges"]["smes"].retired = True
    kept = _full(make_solution, taxonomy, slug="roofs", title="Roofs", city=porto,
                 challenges=[taxonomy["challenges"]["smes"]])  # fmt: skip
    plan = imports.check(import_csv.read, "x.csv", _csv(_good(challenges="smes")), curator)
    assert "smes is no longer offered" in plan.rows[0].problems[0]
    again = imports.check(import_csv.read, "x.csv", _export(), curator)
    assert [(row.action, row.entry_id) for row in again.rows] == [("unchanged", kept.id)]


def test_a_nul_character_from_any_reader_refuses_its_row(taxonomy, porto, curator):
    row = SourceRow("tool.yml", {**_good(), "slug": "x\x00y", "city": "por\x00to"})
    plan = imports.plan([row], curator)
    assert plan.rows[0].action == "refused"
    assert "slug: remove the invisible control characters" in " ".join(plan.rows[0].problems)


def test_a_formula_cell_refuses_its_row(taxonomy, porto, curator):
    data = _csv(_good()).replace(b"x@porto.example", b'"=HYPERLINK(""http://x"")"')
    plan, _summary = _import(data, curator)
    assert plan.rows[0].action == "refused"
    assert "formula" in plan.rows[0].problems[0]
    assert db.session.scalar(select(func.count()).select_from(Solution)) == 0


def test_the_default_city_is_that_of_rows_naming_none(taxonomy, porto, curator):
    plan, _ = _import(_csv(_good(city="")), curator, default_city=porto)
    assert plan.rows[0].action == "create"
    assert db.session.scalar(select(Solution.city_id)) == porto.id


def test_the_same_entry_twice_in_a_file_is_refused_the_second_time(taxonomy, porto, curator):
    plan, summary = _import(_csv(_good(), _good(title="HEAT pumps for schools!")), curator)
    assert [row.action for row in plan.rows] == ["create", "refused"]
    assert "line 2" in plan.rows[1].problems[0]
    assert summary.counts == {**summary.counts, "create": 1, "refused": 1}


def test_a_row_reading_like_a_published_entry_is_refused(
    make_solution, taxonomy, porto, make_city, curator, build_index
):
    make_solution(slug="heat-pumps", title="Heat pumps for schools", city=make_city())
    build_index()
    plan = imports.check(import_csv.read, "x.csv", _csv(_good()), curator)
    assert plan.rows[0].action == "refused"
    assert "heat-pumps" in plan.rows[0].problems[0]


def test_the_slug_is_the_identity_and_a_free_one_is_kept(make_solution, taxonomy, porto, curator):
    entry = _full(make_solution, taxonomy, slug="roofs", title="Roofs", city=porto)
    plan = imports.check(import_csv.read, "x.csv", _csv(_good(slug="roofs")), curator)
    assert plan.rows[0].entry_id == entry.id
    plan, _ = _import(_csv(_good(slug="pumps-for-schools")), curator)
    assert plan.rows[0].action == "create"
    assert db.session.scalar(select(Solution).where(Solution.slug == "pumps-for-schools"))


def test_an_entry_is_not_moved_to_another_city(make_solution, taxonomy, porto, make_city, curator):
    _full(make_solution, taxonomy, slug="roofs", title="Roofs", city=make_city(slug="braga"))
    plan = imports.check(import_csv.read, "x.csv", _csv(_good(slug="roofs")), curator)
    assert "does not move entries" in plan.rows[0].problems[0]


def test_a_row_failing_at_import_rolls_back_alone(taxonomy, porto, curator, monkeypatch):
    plan = imports.check(import_csv.read, "x.csv", _csv(_good(), _good(title="Second")), curator)
    real = imports.publishing.create_for_city

    def failing(actor, city, data, slug=""):
        solution = real(actor, city, data, slug=slug)
        if data["title"] == "Heat pumps for schools":
            raise imports.InvalidTransition("boom")
        return solution

    monkeypatch.setattr(imports.publishing, "create_for_city", failing)
    summary = imports.apply(plan, curator)
    assert [o.action for o in summary.outcomes] == ["failed", "create"]
    assert list(db.session.scalars(select(Solution.title))) == ["Second"]
    assert db.session.scalar(select(func.count()).select_from(ModerationEvent)) == 2


@pytest.mark.parametrize("who", ["anonymous", "publisher"])
def test_only_curators_import(who, publisher, taxonomy):
    from flask_login import AnonymousUserMixin

    actor = publisher if who == "publisher" else AnonymousUserMixin()
    with pytest.raises(PermissionDenied):
        imports.check(import_csv.read, "x.csv", _csv(_good()), actor)
    with pytest.raises(PermissionDenied):
        imports.apply(imports.ImportPlan("x", []), actor)


def test_imported_entries_are_submitted_and_audited_without_mail(taxonomy, porto, curator, outbox):
    _import(_csv(_good()), curator)
    entry = db.session.scalar(select(Solution))
    assert entry.status == Status.SUBMITTED
    assert entry.city_id == porto.id
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["entry.submitted", "entry.imported"]
    assert outbox() == []
    assert entry.created_at.replace(tzinfo=UTC) <= datetime.now(UTC)
