"""publishing.save: the entry form's rules in one place (versions, slugs, dates, choices)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.services import curation, entries, publishing, revision_diff
from marketplace.services.errors import PermissionDenied
from marketplace.services.slugs import slugify
from marketplace.vocab import Status

DESCRIPTION = (
    "The city installed solar panels on twelve school roofs with a citizen cooperative. Pupils "
    "follow the production on a dashboard, and the savings pay back the loan in nine years. The "
    "cooperative model lets parents invest small sums."
)


@pytest.fixture
def author(make_user, make_city):
    return make_user(role="publisher", city=make_city(slug="terrassa", name="Terrassa"))


@pytest.fixture
def colleague(make_user, author):
    return make_user(role="publisher", city=author.city)


def complete(**overrides):
    return {
        "title": "Solar roofs on schools",
        "kind": "solution",
        "summary": "Solar panels on school roofs.",
        "description": DESCRIPTION,
        "maturity": "deployed",
        "challenges": ["retrofit"],
        "contact_email": "marta@terrassa.example",
        "languages": ["es", "ca"],
        "contact_public": True,
        **overrides,
    }


def reload(solution: Solution) -> Solution:
    db.session.rollback()
    return db.session.get(Solution, solution.id)


def test_a_save_over_a_newer_version_is_refused_and_can_then_be_made_on_purpose(
    author, colleague, taxonomy
):
    created = publishing.save(author, None, {"title": "Solar roofs"}, "save")
    solution = created.solution
    opened = publishing.editor_state(author, solution).version
    # The colleague opened the same draft and saved first.
    assert publishing.save(colleague, solution, {"title": "Theirs"}, "save").stored
    mine = publishing.save(author, reload(solution), {"title": "Mine"}, "save", version=opened)
    assert mine.outcome == "refused"
    assert "saved this entry after you opened it" in mine.problems[""]
    assert reload(solution).title == "Theirs"
    again = publishing.save(
        author, reload(solution), {"title": "Mine"}, "save", version=mine.version
    )
    assert again.stored
    assert reload(solution).title == "Mine"


def test_a_draft_keeps_unanswered_choices_empty_and_submission_asks(author, taxonomy):
    result = publishing.save(author, None, {"title": "Only a title"}, "save")
    solution = reload(result.solution)
    assert (solution.kind, solution.maturity) == ("", "")
    refused = publishing.save(
        author, solution, {**complete(), "kind": "", "maturity": ""}, "submit"
    )
    assert refused.outcome == "refused"
    assert {"kind", "maturity"} <= set(refused.problems)


def test_the_address_follows_the_title_until_first_publication(author, taxonomy, make_user):
    solution = publishing.save(author, None, {"title": "Draft name"}, "save").solution
    assert reload(solution).slug == "draft-name"
    publishing.save(author, reload(solution), complete(title="Łódź solar roofs"), "save")
    assert reload(solution).slug == "lodz-solar-roofs"
    publishing.save(author, reload(solution), complete(title="Łódź solar roofs"), "submit")
    curation.decide(make_user(role="curator"), solution.id, "approve")
    publishing.save(author, reload(solution), complete(title="A new title"), "submit")
    curation.decide(make_user(role="curator"), solution.id, "approve")
    assert reload(solution).title == "A new title"
    assert reload(solution).slug == "lodz-solar-roofs"  # published once: the address stays


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Łódź", "lodz"),
        ("Øresund", "oresund"),
        ("Straße", "strasse"),
        ("Θεσσαλονίκη", "thessalonike"),
    ],
)
def test_slugs_transliterate_letters_instead_of_dropping_them(title, slug):
    assert slugify(title) == slug


def test_pending_changes_leave_the_public_dates_alone(author, make_solution):
    solution = make_solution(city=author.city, status=Status.PUBLISHED)
    solution.content_updated_at = datetime(2025, 1, 1, tzinfo=UTC)
    db.session.commit()
    data = {**entries.snapshot(solution), "summary": "A better summary."}
    assert publishing.save(author, solution, data, "save").outcome == "revision"
    assert reload(solution).content_updated_at == datetime(2025, 1, 1, tzinfo=UTC)


def test_changing_only_the_summary_shows_only_the_summary_as_changed(
    author, make_solution, make_user
):
    solution = make_solution(city=author.city, status=Status.PUBLISHED)
    entries.apply(solution, complete(languages=["es", "ca", "en"], sdgs=[11, 7]))
    db.session.commit()
    shown = list(reload(solution).languages)
    data = entries.snapshot(reload(solution))
    data.update(summary="A better summary.", languages=list(reversed(data["languages"])))
    publishing.save(author, reload(solution), data, "submit")
    changed = [c.label for c in revision_diff.changes(reload(solution))]
    assert changed == ["Summary"]
    curation.decide(make_user(role="curator"), solution.id, "approve")
    assert reload(solution).languages == shown
    assert reload(solution).content_updated_at > datetime(2025, 1, 1, tzinfo=UTC)


def test_a_curator_edit_applies_directly(author, make_solution, make_user):
    solution = make_solution(
        city=author.city, status=Status.PUBLISHED, description=DESCRIPTION, contact_email="a@b.eu"
    )
    curator = make_user(role="curator")
    assert publishing.editor_state(curator, solution).curator_mode
    data = {**entries.snapshot(solution), "summary": "Curated summary."}
    assert publishing.save(curator, solution, data, "save").outcome == "curator"
    assert reload(solution).summary == "Curated summary."


def test_an_unknown_action_is_refused(author):
    result = publishing.save(author, None, {"title": "x"}, "publish-now")
    assert result.outcome == "refused"
    assert db.session.scalar(select(db.func.count()).select_from(Solution)) == 0


def test_another_citys_publisher_can_neither_open_nor_save_the_entry(
    author, make_solution, make_user, make_city
):
    solution = make_solution(city=author.city, status=Status.PUBLISHED, description=DESCRIPTION)
    stranger = make_user(role="publisher", city=make_city())
    with pytest.raises(PermissionDenied):
        publishing.editor_state(stranger, solution)
    with pytest.raises(PermissionDenied):
        publishing.save(stranger, solution, {**entries.snapshot(solution), "title": "x"}, "save")
    assert reload(solution).title != "x"


def test_a_save_committed_between_the_checks_and_the_write_is_not_overwritten(
    app, author, monkeypatch
):
    import io

    from PIL import Image

    from marketplace.services import images

    solution = publishing.save(author, None, {"title": "Solar roofs"}, "save").solution
    opened = reload(solution).version
    real_save = images.save

    def colleague_saves_first(prepared):
        with db.engine.begin() as other:  # another request commits meanwhile
            other.execute(
                Solution.__table__.update()
                .where(Solution.__table__.c.id == solution.id)
                .values(title="Theirs", version=Solution.__table__.c.version + 1)
            )
        return real_save(prepared)

    monkeypatch.setattr(images, "save", colleague_saves_first)
    picture = io.BytesIO()
    Image.new("RGB", (8, 8)).save(picture, format="PNG")
    picture.seek(0)
    data = {"title": "Mine", "image_alt": "A roof"}
    result = publishing.save(author, reload(solution), data, "save", version=opened, upload=picture)
    assert result.outcome == "refused"
    assert "saved this entry after you opened it" in result.problems[""]
    assert result.version == opened + 1
    assert reload(solution).title == "Theirs"
    assert list((images.folder()).glob("*.png")) == []  # the upload of the refused save is gone
