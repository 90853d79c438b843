"""The publisher's pages: dashboard, entry form (draft, submit, preview), revisions, actions."""

import re

import pytest

from marketplace.extensions import db
from marketplace.models import ModerationEvent, Solution
from marketplace.services import entries
from marketplace.services.moderation import apply_transition
from marketplace.vocab import Status

DESCRIPTION = (
    "The city installed **solar panels** on twelve school roofs with a citizen cooperative. "
    "Pupils follow the production on a dashboard, and the savings pay back the loan in nine "
    "years. The cooperative model lets parents invest small sums."
)


@pytest.fixture
def city(publisher):
    """The city whose entries ``signed_in`` writes."""
    return publisher.city


@pytest.fixture
def other_city(make_city):
    return make_city(slug="ioannina", name="Ioannina", country="GR")


@pytest.fixture
def user(publisher):
    """Who ``signed_in`` is."""
    return publisher


def complete(**overrides):
    data = {
        "title": "Solar roofs on schools",
        "kind": "solution",
        "summary": "Solar panels on twelve school roofs, financed by a citizen cooperative.",
        "description": DESCRIPTION,
        "impact": "- 420 MWh a year",
        "lessons": "Roof surveys took longer than planned.",
        "maturity": "deployed",
        "challenges": ["retrofit"],
        "contact_name": "Marta",
        "contact_email": "marta@terrassa.example",
        "contact_public": "y",
        "website": "https://terrassa.example/solar",
        "languages": ["ca", "es"],
        "cost_band": "50k-250k",
        "licence": "CC-BY-4.0",
    }
    data.update(overrides)
    return data


def errors_in(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", m).replace("Error: ", "").strip()
        for m in re.findall(r'<p class="error"[^>]*>(.*?)</p>', html, re.S)
    ]


def the_entry(title="Solar roofs on schools") -> Solution:
    db.session.expire_all()
    return db.session.scalar(db.select(Solution).where(Solution.title == title))


def test_form_offers_challenges_grouped_by_track(signed_in, taxonomy):
    page = signed_in.get("/my/entries/new")
    assert page.status_code == 200
    assert "<legend>Green economy</legend>" in page.text
    assert 'value="retrofit"' in page.text
    assert "<legend>Mobility</legend>" in page.text


def test_a_draft_needs_only_a_title(signed_in, taxonomy, publisher):
    response = signed_in.post("/my/entries/new", data={"title": "Just an idea", "action": "save"})
    assert response.status_code == 302
    solution = the_entry("Just an idea")
    assert solution.status == Status.DRAFT
    assert solution.slug == "just-an-idea"
    assert solution.city_id == publisher.city_id
    assert response.location == f"/my/entries/{solution.id}"
    (event,) = db.session.scalars(db.select(ModerationEvent)).all()
    assert event.to_status == Status.DRAFT


@pytest.mark.parametrize(
    ("overrides", "action", "expected"),
    [
        ({"title": ""}, "save", ["Give the entry a title."]),
        ({"summary": "x" * 301}, "save", ["At most 300 characters."]),
        ({"lessons": "x" * 20_001}, "save", ["Keep this to 20,000 characters."]),
        ({"contact_email": "not-an-address"}, "save", ["This is not a valid email address."]),
        ({"website": "javascript:alert(1)"}, "save", ["Give a full web address"]),
        ({"summary": ""}, "submit", ["Write a summary"]),
        ({"description": "Too short."}, "submit", ["Describe the solution in at least 200"]),
        ({"challenges": []}, "submit", ["Choose at least one challenge"]),
        ({"kind": ""}, "submit", ["Say whether this is a solution or a best practice."]),
        ({"maturity": "legendary"}, "save", ["Choose one of the maturity levels."]),
        ({"contact_email": ""}, "submit", ["Give a contact email"]),
        (
            {"summary": "", "challenges": [], "contact_email": "nope"},
            "submit",
            ["Write a summary", "Choose at least one challenge", "This is not a valid email"],
        ),
    ],
)
def test_validation_shows_every_error_next_to_its_field_and_keeps_the_input(
    signed_in, taxonomy, overrides, action, expected
):
    data = complete(**overrides)
    response = signed_in.post("/my/entries/new", data={**data, "action": action})
    assert response.status_code == 400
    found = errors_in(response.text)
    for message in expected:
        assert any(text.startswith(message) for text in found), (message, found)
    assert "marta@terrassa" in response.text or "contact_email" in overrides
    assert "twelve school roofs" in response.text  # the typed description is kept
    assert db.session.scalar(db.select(db.func.count()).select_from(Solution)) == 0


def test_submit_for_review_saves_everything(signed_in, taxonomy, other_city):
    data = complete(services=["open-data"], sdgs=["7", "11"])
    # A crafted POST cannot make another city an adopter: only that city records it.
    posted = {**data, "used_by": [other_city.slug], "action": "submit"}
    response = signed_in.post("/my/entries/new", data=posted)
    assert response.status_code == 302, errors_in(response.text)
    solution = the_entry()
    assert solution.status == Status.SUBMITTED
    assert solution.adoptions == []
    assert entries.snapshot(solution) == {
        **{k: v for k, v in data.items() if k not in ("contact_public", "sdgs", "languages")},
        "languages": entries.ordered_languages(data["languages"]),
        "contact_public": True,
        "sdgs": [7, 11],
        "language": "en",  # the interface language: none was chosen
        "translations": {},
        "funding_model": "",
        "provider": "",
        "image": "",
        "image_alt": "",
    }
    public = signed_in.get(f"/solutions/{solution.slug}")
    assert public.status_code == 200  # the owning city's publisher sees it
    signed_in.post("/logout")
    assert signed_in.get(f"/solutions/{solution.slug}").status_code == 404


def test_preview_renders_exactly_what_the_public_page_will_show(
    signed_in, taxonomy, make_solution, city
):
    data = complete(
        description=DESCRIPTION + "\n\n<script>alert(1)</script><a href='javascript:x'>y</a>"
    )
    preview = signed_in.post("/my/entries/new", data={**data, "action": "preview"})
    assert preview.status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(Solution)) == 0
    shown = preview.text.split('<div class="preview-frame">')[1].split("</article>")[0]
    assert "<script>" not in shown
    assert "javascript:" not in shown
    published = make_solution(city=city, slug="solar-roofs-on-schools", status=Status.DRAFT)
    entries.apply(published, {**data, "contact_public": True, "languages": ["ca", "es"]})
    published.status = Status.PUBLISHED
    db.session.commit()
    public = signed_in.get(f"/solutions/{published.slug}")

    def body(html):
        article = re.search(r'<div class="entry-body">.*?</div>\s*<aside', html, re.S).group(0)
        return re.sub(r"\s+", " ", article)

    assert body(preview.text) == body(public.text)


def test_changes_requested_entry_is_edited_in_place_and_resubmitted(
    signed_in, taxonomy, make_solution, city
):
    solution = make_solution(city=city, status=Status.SUBMITTED)
    apply_transition(solution, Status.CHANGES_REQUESTED, None, "Add figures, please.")
    db.session.commit()
    dashboard = signed_in.get("/my")
    assert "Add figures, please." in dashboard.text
    form = signed_in.get(f"/my/entries/{solution.id}/edit")
    assert solution.title in form.text
    data = complete(title=solution.title, impact="- 30 % less energy")
    response = signed_in.post(f"/my/entries/{solution.id}/edit", data={**data, "action": "submit"})
    assert response.status_code == 302, errors_in(response.text)
    db.session.expire_all()
    assert solution.status == Status.SUBMITTED
    assert solution.impact == "- 30 % less energy"


def test_editing_a_published_entry_keeps_the_public_version(
    signed_in, taxonomy, make_solution, city
):
    solution = make_solution(city=city, title="Bike lanes", summary="Old summary.")
    data = complete(title="Bike lanes", summary="New summary, not approved yet.")
    response = signed_in.post(f"/my/entries/{solution.id}/edit", data={**data, "action": "submit"})
    assert response.status_code == 302, errors_in(response.text)
    db.session.expire_all()
    assert solution.summary == "Old summary."
    assert solution.status == Status.PUBLISHED
    assert solution.revision.status == "submitted"
    signed_in.post("/logout")
    public = signed_in.get(f"/solutions/{solution.slug}")
    assert "Old summary." in public.text
    assert "New summary" not in public.text


def test_author_sees_both_versions_and_the_form_shows_the_pending_one(
    signed_in, taxonomy, make_solution, city
):
    solution = make_solution(city=city, title="Bike lanes", summary="Old summary.")
    data = complete(title="Bike lanes", summary="New summary.")
    signed_in.post(f"/my/entries/{solution.id}/edit", data={**data, "action": "save"})
    page = signed_in.get(f"/my/entries/{solution.id}")
    assert "Pending changes (not public yet)" in page.text
    assert "New summary." in page.text
    assert "Old summary." in page.text
    assert "New summary." in signed_in.get(f"/my/entries/{solution.id}/edit").text
    assert signed_in.post(f"/my/entries/{solution.id}/discard").status_code == 302
    db.session.expire_all()
    assert solution.revision is None


def test_withdraw_and_archive(signed_in, taxonomy, make_solution, city):
    submitted = make_solution(city=city, status=Status.SUBMITTED)
    assert signed_in.post(f"/my/entries/{submitted.id}/withdraw").status_code == 302
    published = make_solution(city=city)
    assert signed_in.post(f"/my/entries/{published.id}/archive").status_code == 302
    db.session.expire_all()
    assert submitted.status == Status.DRAFT
    assert published.status == Status.ARCHIVED
    again = signed_in.post(f"/my/entries/{published.id}/archive")
    assert again.status_code == 409
    assert "cannot become archived" in again.text


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.REJECTED, Status.ARCHIVED])
def test_entries_that_wait_or_are_closed_cannot_be_edited(
    signed_in, taxonomy, make_solution, city, status
):
    solution = make_solution(city=city, status=status)
    response = signed_in.post(
        f"/my/entries/{solution.id}/edit", data={**complete(), "action": "save"}
    )
    assert response.status_code == 400  # the form again, with the reason and the text kept
    assert "twelve school roofs" in response.text
    assert any(w in response.text for w in ("withdraw it", "cannot be edited"))
    db.session.expire_all()
    assert solution.title != "Solar roofs on schools"


def test_possible_duplicates_are_shown_before_submitting(
    app, signed_in, taxonomy, make_solution, other_city
):
    from marketplace import search

    make_solution(
        city=other_city, title="Solar roofs for public schools", summary="Panels on schools."
    )
    search.rebuild()
    data = {**complete(), "action": "submit"}
    first = signed_in.post("/my/entries/new", data=data)
    assert first.status_code == 400
    # Without JavaScript the summary at the top says why nothing was submitted.
    summary = first.text.split('id="form-errors"')[1].split("</div>")[0]
    assert "Not submitted yet: 1 published entry reads like yours" in summary
    assert "Is your entry already in the catalogue?" in first.text
    assert "Solar roofs for public schools" in first.text
    assert the_entry() is None
    confirmed = signed_in.post("/my/entries/new", data={**data, "not_duplicate": "y"})
    assert confirmed.status_code == 302
    assert the_entry().status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/my"),
        ("get", "/my/entries/new"),
        ("get", "/my/entries/{id}"),
        ("get", "/my/entries/{id}/edit"),
        ("post", "/my/entries/{id}/withdraw"),
        ("post", "/my/entries/{id}/archive"),
        ("post", "/my/entries/{id}/discard"),
    ],
)
def test_publisher_routes_need_sign_in_and_the_owning_city(
    app, client, auth, make_user, make_solution, other_city, method, path
):
    solution = make_solution(city=other_city)
    url = path.format(id=solution.id)
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302
    assert anonymous.location.startswith("/login")
    outsider = make_user(email="pub@elsewhere.example", role="publisher", city=make_city_for(app))
    auth.sign_in(outsider)
    response = getattr(client, method)(url)
    expected = 200 if path == "/my" or path == "/my/entries/new" else 403
    assert response.status_code == expected
    if path.startswith("/my/entries/{id}"):
        assert getattr(client, method)(path.format(id=999999)).status_code == 404


def make_city_for(app):
    from marketplace.models import City

    city = City(slug="elsewhere", name="Elsewhere", country="FI", role="core")
    db.session.add(city)
    db.session.commit()
    return city


def test_signed_out_while_writing_keeps_what_was_typed(app, client, taxonomy):
    response = client.post("/my/entries/new", data={**complete(), "action": "save"})
    assert response.status_code == 401
    assert "You were signed out: nothing was saved" in response.text
    assert "twelve school roofs" in response.text
    assert 'value="Solar roofs on schools"' in response.text


def test_expired_csrf_token_keeps_what_was_typed(csrf_app, csrf_token_in, password):
    from marketplace.models import City, User

    with csrf_app.app_context():
        city = City(slug="porto", name="Porto", country="PT", role="mentor")
        user = User(email="p@porto.example", display_name="P", role="publisher", city=city)
        user.set_password(password)
        db.session.add_all([city, user])
        db.session.commit()
    client = csrf_app.test_client()
    login = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "p@porto.example",
            "password": password,
            "csrf_token": csrf_token_in(login.text),
        },
    )
    client.get("/my/entries/new")
    response = client.post(
        "/my/entries/new",
        data={
            "title": "Typed before the token expired",
            "description": "Long text kept",
            "action": "save",
            "csrf_token": "expired-or-forged",
        },
    )
    assert response.status_code == 400
    assert "The form had expired" in response.text
    assert 'value="Typed before the token expired"' in response.text
    assert "Long text kept" in response.text
    token = csrf_token_in(response.text)
    again = client.post(
        "/my/entries/new",
        data={"title": "Typed before the token expired", "action": "save", "csrf_token": token},
    )
    assert again.status_code == 302
