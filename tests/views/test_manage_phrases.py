"""Curators edit the words people use for each taxonomy term on its edit page."""

import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from marketplace.extensions import db
from marketplace.forms.manage import TermForm
from marketplace.models import Challenge, TaxonomyPhrase
from marketplace.search import concepts
from marketplace.services import phrases

EDIT = "/curate/taxonomy/challenges/retrofit/edit"


def words(response) -> str:
    """What a reader sees: the page without its tags."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def listed(slug: str = "retrofit") -> list[str]:
    db.session.expire_all()
    return phrases.of(db.session.scalar(select(Challenge).where(Challenge.slug == slug)))


def textarea(response) -> str:
    match = re.search(r'<textarea[^>]*name="phrases"[^>]*>(.*?)</textarea>', response.text, re.S)
    assert match, "no phrases field on the page"
    return match.group(1).strip()


def test_the_edit_page_shows_the_list_in_a_labelled_field(as_curator, curator, taxonomy):
    as_curator.post(EDIT, data={"name": "Retrofitting buildings", "phrases": "insulation\nPV"})
    page = as_curator.get(EDIT)
    assert page.status_code == 200
    assert "Words people use for it" in words(page)
    assert textarea(page) == "insulation\nPV"
    assert 'aria-describedby="phrases-hint"' in page.text


def test_a_curator_saves_the_words_and_search_knows_them_at_once(as_curator, taxonomy):
    concepts.current()  # a matcher built before the edit
    response = as_curator.post(
        EDIT,
        data={"name": "Retrofitting buildings", "phrases": " heat pumps\n\nInsulation\ninsulation"},
    )
    assert response.status_code == 302
    page = as_curator.get(response.location)
    assert "search knows it by the words you listed" in words(page)
    assert "Words people use (2): heat pumps, Insulation" in words(page)
    assert listed() == ["heat pumps", "Insulation"]
    assert [c.value for c, _ in concepts.current().match("cheaper heat pump")] == ["retrofit"]


def test_renaming_and_editing_the_words_say_both(as_curator, taxonomy):
    response = as_curator.post(EDIT, data={"name": "Renovation", "phrases": "insulation"})
    flashed = words(as_curator.get(response.location))
    assert "is now “Renovation”" in flashed
    assert "search knows it by the words you listed" in flashed


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("insulation\nx", "“x” is too short"),
        ("insulation\n" + "very long " * 7, "is too long"),
        ("\n".join(f"phrase {n}" for n in range(31)), "Keep the list to 30 phrases"),
        ("of the", "holds only words search leaves out"),
    ],
)
def test_a_bad_list_is_shown_again_with_the_reason_next_to_it(as_curator, taxonomy, typed, message):
    as_curator.post(EDIT, data={"name": "Retrofitting buildings", "phrases": "solar panels"})
    response = as_curator.post(EDIT, data={"name": "Renamed meanwhile", "phrases": typed})
    assert response.status_code == 400
    error = re.search(r'<p class="error" id="phrases-error">(.*?)</p>', response.text, re.S)
    assert error
    assert message in error.group(1)
    assert textarea(response) == typed.strip()  # what was typed is kept
    assert 'value="Renamed meanwhile"' in response.text
    assert listed() == ["solar panels"]
    assert db.session.scalar(select(Challenge.name).where(Challenge.slug == "retrofit")) == (
        "Retrofitting buildings"
    )


def test_a_form_without_the_field_leaves_the_words_alone(as_curator, taxonomy):
    as_curator.post(EDIT, data={"name": "Retrofitting buildings", "phrases": "insulation"})
    as_curator.post(EDIT, data={"name": "Renovation"})
    assert listed() == ["insulation"]


def test_emptying_the_field_empties_the_list(as_curator, taxonomy):
    as_curator.post(EDIT, data={"name": "Retrofitting buildings", "phrases": "insulation"})
    as_curator.post(EDIT, data={"name": "Retrofitting buildings", "phrases": ""})
    assert listed() == []
    page = as_curator.get("/curate/taxonomy")
    assert "No words people use yet" in words(page)


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("tracks", {"name": "Water", "edition": "2024"}),
        ("challenges", {"name": "Leaks", "track": "green"}),
        ("services", {"name": "Insurance"}),
    ],
)
def test_a_new_term_comes_with_its_words(as_curator, taxonomy, kind, data):
    form = as_curator.get(f"/curate/taxonomy/{kind}/new")
    assert "Words people use for it" in words(form)
    response = as_curator.post(
        f"/curate/taxonomy/{kind}/new", data={**data, "phrases": "burst pipes\ndrought"}
    )
    assert response.status_code == 302
    assert "Words people use (2): burst pipes, drought" in words(as_curator.get("/curate/taxonomy"))


def test_a_new_term_with_a_bad_phrase_is_not_added(as_curator, taxonomy):
    response = as_curator.post(
        "/curate/taxonomy/services/new", data={"name": "Insurance", "phrases": "ok\nx"}
    )
    assert response.status_code == 400
    assert "“x” is too short" in words(response)
    assert textarea(response) == "ok\nx"
    assert "Insurance" not in words(as_curator.get("/curate/taxonomy"))


def test_a_publisher_cannot_change_the_words(client_for, publisher, taxonomy):
    browser = client_for(publisher)
    response = browser.post(EDIT, data={"name": "Retrofitting buildings", "phrases": "spam"})
    assert response.status_code == 403
    assert db.session.scalar(select(TaxonomyPhrase.id)) is None


@pytest.mark.parametrize(
    ("typed", "valid", "sent"),
    [
        ("insulation\nPV", True, "insulation\nPV"),
        ("insulation\nx", False, "insulation\nx"),
        (None, True, None),  # the field was not in the request at all
    ],
)
def test_the_form_checks_the_words_as_the_service_does(app, typed, valid, sent):
    data = {"name": "Retrofitting"} | ({"phrases": typed} if typed is not None else {})
    with app.test_request_context(method="POST", data=data):
        form = TermForm(formdata=MultiDict(data))
        assert form.validate() is valid
        assert form.phrases_sent() == sent
        if not valid:
            assert form.phrases.errors == [
                "“x” is too short: each phrase needs at least 2 characters."
            ]
