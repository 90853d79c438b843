"""The curators' taxonomy and city pages and the administrators' account pages."""

import re

import pytest
from sqlalchemy import select

from marketplace import search
from marketplace.extensions import db
from marketplace.models import (
    AuditEvent,
    Challenge,
    City,
    Solution,
    Track,
    TransversalService,
    User,
)
from marketplace.vocab import Status


@pytest.fixture
def as_admin(client_for, admin):
    return client_for(admin)


@pytest.fixture
def as_publisher(client_for, publisher):
    return client_for(publisher)


def words(response) -> str:
    """What a reader sees: the page without its tags."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def flashed(browser, response) -> str:
    assert response.status_code == 302, response.status_code
    return words(browser.get(response.location))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def fresh(model, **where):
    db.session.expire_all()
    return db.session.scalar(select(model).filter_by(**where))


# Permissions

PAGES = [
    "/curate/taxonomy",
    "/curate/taxonomy/tracks/new",
    "/curate/taxonomy/challenges/new",
    "/curate/taxonomy/services/new",
    "/curate/taxonomy/tracks/green/edit",
    "/curate/taxonomy/challenges/retrofit/edit",
    "/curate/taxonomy/services/open-data/edit",
    "/curate/cities",
    "/curate/cities/new",
    "/curate/cities/porto/edit",
]
ADMIN_PAGES = ["/curate/users", "/curate/users/invite", "/curate/users/{owner}"]


@pytest.mark.parametrize("path", PAGES + ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, publisher, taxonomy, path):
    response = client.get(path.format(owner=publisher.id))
    assert response.status_code == 302
    assert "/login?next=" in response.location


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("publisher", {"pages": 403, "admin": 403}),
        ("curator", {"pages": 200, "admin": 403}),
        ("admin", {"pages": 200, "admin": 200}),
    ],
)
def test_each_role_sees_what_it_may_manage(
    client_for, make_user, publisher, taxonomy, who, expected
):
    if who == "publisher":
        browser = client_for(publisher)
    else:
        browser = client_for(make_user(email=f"{who}@example.org", role=who))
    for path in PAGES:
        assert browser.get(path).status_code == expected["pages"], path
    for path in ADMIN_PAGES:
        assert browser.get(path.format(owner=publisher.id)).status_code == expected["admin"]


def test_a_publisher_changes_nothing_by_posting(as_publisher, publisher, taxonomy):
    posts = [
        ("/curate/taxonomy/tracks/new", {"name": "Water", "edition": "2024"}),
        ("/curate/taxonomy/challenges/retrofit/edit", {"name": "Renamed"}),
        ("/curate/taxonomy/challenges/smes/move", {"direction": "up"}),
        ("/curate/taxonomy/challenges/retrofit/retire", {}),
        ("/curate/cities/new", {"name": "Lviv", "country": "UA", "role": "core"}),
        ("/curate/cities/porto/edit", {"name": "Oporto", "country": "PT", "role": "core"}),
        ("/curate/users/invite", {"email": "x@example.org", "role": "admin"}),
        (f"/curate/users/{publisher.id}", {"role": "admin", "city": ""}),
        (f"/curate/users/{publisher.id}/deactivate", {}),
    ]
    for path, data in posts:
        assert as_publisher.post(path, data=data).status_code == 403, path
    assert audit_actions() == []
    assert fresh(User, id=publisher.id).role == "publisher"
    assert fresh(Challenge, slug="retrofit").name == "Retrofitting buildings"


def test_a_curator_cannot_manage_accounts(as_curator, publisher):
    assert as_curator.post(f"/curate/users/{publisher.id}/deactivate").status_code == 403
    assert (
        as_curator.post(f"/curate/users/{publisher.id}", data={"role": "admin"}).status_code == 403
    )
    assert fresh(User, id=publisher.id).active


def test_an_unknown_term_or_kind_is_not_found(as_curator, taxonomy):
    assert as_curator.get("/curate/taxonomy/challenges/nothing/edit").status_code == 404
    assert as_curator.get("/curate/taxonomy/sdgs/7/edit").status_code == 404
    assert as_curator.post("/curate/taxonomy/tracks/nothing/retire").status_code == 404


# Taxonomy


def test_the_overview_lists_every_kind_in_order_with_retired_marked(as_curator, taxonomy):
    taxonomy["challenges"]["congestion"].retired = True
    db.session.commit()
    page = words(as_curator.get("/curate/taxonomy"))
    assert page.index("Green economy") < page.index("Mobility")
    assert page.index("Retrofitting buildings") < page.index("Green SMEs")
    assert "Congestion Retired" in page
    assert "Open data platforms" in page
    assert "Move up Green SMEs" in page
    assert "Move up Retrofitting buildings" not in page  # first of its track


def test_the_overview_counts_every_entry_and_says_how_many_are_published(
    as_curator, taxonomy, make_solution
):
    retrofit, smes = taxonomy["challenges"]["retrofit"], taxonomy["challenges"]["smes"]
    make_solution(challenges=[retrofit], services=[taxonomy["service"]])
    for status in (Status.DRAFT, Status.SUBMITTED, Status.ARCHIVED):
        make_solution(status=status, challenges=[retrofit, smes])
    page = words(as_curator.get("/curate/taxonomy"))
    assert "Retrofitting buildings (4 entries, 1 published)" in page
    assert "Green SMEs (3 entries, 0 published)" in page
    assert "Last mile (no entries)" in page
    assert "Open data platforms (1 entry, 1 published)" in page


@pytest.mark.parametrize(
    ("kind", "data", "model", "slug"),
    [
        (
            "tracks",
            {"name": "Tourism", "edition": "2024", "description": "Visitors."},
            Track,
            "tourism",
        ),
        ("challenges", {"name": "Heat pumps", "track": "green"}, Challenge, "heat-pumps"),
        (
            "services",
            {"name": "Public procurement", "description": ""},
            TransversalService,
            "public-procurement",
        ),
    ],
)
def test_a_curator_adds_each_kind(as_curator, taxonomy, kind, data, model, slug):
    form = as_curator.get(f"/curate/taxonomy/{kind}/new")
    assert form.status_code == 200
    response = as_curator.post(f"/curate/taxonomy/{kind}/new", data=data)
    assert f"“{data['name']}” is added" in flashed(as_curator, response)
    assert response.location.endswith(f"/curate/taxonomy#{kind}-{slug}")
    assert fresh(model, slug=slug).name == data["name"]
    assert audit_actions() == ["taxonomy.created"]


def test_the_challenge_form_preselects_the_track_it_was_opened_from(as_curator, taxonomy):
    page = as_curator.get("/curate/taxonomy/challenges/new?track=mobility").text
    assert re.search(r'<option selected value="mobility">|<option value="mobility" selected>', page)


def test_a_refused_term_keeps_what_was_typed(as_curator, taxonomy):
    response = as_curator.post(
        "/curate/taxonomy/tracks/new", data={"name": "Mobility", "edition": "2020-22"}
    )
    assert response.status_code == 400
    assert "There is a track called “Mobility” there already." in words(response)
    assert 'value="2020-22"' in response.text
    bad = as_curator.post("/curate/taxonomy/tracks/new", data={"name": "Water", "edition": "next"})
    assert bad.status_code == 400
    assert "as years" in words(bad)
    assert 'value="Water"' in bad.text
    assert audit_actions() == []


@pytest.mark.parametrize(
    ("kind", "slug", "model"),
    [
        ("tracks", "green", Track),
        ("challenges", "retrofit", Challenge),
        ("services", "open-data", TransversalService),
    ],
)
def test_a_curator_renames_each_kind(as_curator, taxonomy, kind, slug, model):
    page = as_curator.get(f"/curate/taxonomy/{kind}/{slug}/edit")
    assert page.status_code == 200
    data = {"name": "A better name"}
    if kind == "tracks":
        data["edition"] = "2020-22"
    response = as_curator.post(f"/curate/taxonomy/{kind}/{slug}/edit", data=data)
    assert "is now “A better name”" in flashed(as_curator, response)
    assert fresh(model, slug=slug).name == "A better name"
    (event,) = db.session.scalars(select(AuditEvent)).all()
    assert event.action == "taxonomy.renamed"
    assert event.detail.endswith("-> A better name")
    assert event.actor.email == "cura@example.org"


def test_a_rename_to_a_taken_name_shows_the_form_again(as_curator, taxonomy):
    response = as_curator.post(
        "/curate/taxonomy/challenges/retrofit/edit", data={"name": "Green SMEs"}
    )
    assert response.status_code == 400
    assert "called “Green SMEs” there already" in words(response)
    assert fresh(Challenge, slug="retrofit").name == "Retrofitting buildings"


@pytest.mark.parametrize(
    ("kind", "slug", "direction", "order"),
    [
        ("challenges", "smes", "up", ["smes", "retrofit"]),
        ("challenges", "retrofit", "down", ["smes", "retrofit"]),
        ("tracks", "mobility", "up", ["mobility", "green"]),
    ],
)
def test_move_buttons_swap_neighbours(as_curator, taxonomy, kind, slug, direction, order):
    response = as_curator.post(
        f"/curate/taxonomy/{kind}/{slug}/move", data={"direction": direction}
    )
    assert response.status_code == 302
    assert response.location.endswith(f"#{kind}-{slug}")
    db.session.expire_all()
    model = Challenge if kind == "challenges" else Track
    rows = db.session.scalars(
        select(model).where(model.slug.in_(order)).order_by(model.position, model.name)
    )
    assert [row.slug for row in rows] == order
    assert audit_actions() == ["taxonomy.reordered"]


def test_moving_the_first_up_says_so(as_curator, taxonomy):
    response = as_curator.post("/curate/taxonomy/tracks/green/move", data={"direction": "up"})
    assert "“Green economy” is first already." in flashed(as_curator, response)
    assert audit_actions() == []


@pytest.mark.parametrize(
    ("kind", "slug", "model"),
    [
        ("tracks", "mobility", Track),
        ("challenges", "smes", Challenge),
        ("services", "open-data", TransversalService),
    ],
)
def test_a_curator_retires_and_restores_each_kind(as_curator, taxonomy, kind, slug, model):
    response = as_curator.post(f"/curate/taxonomy/{kind}/{slug}/retire")
    assert "is retired: entries keep it" in flashed(as_curator, response)
    assert fresh(model, slug=slug).retired
    assert "Offer it again" in as_curator.get(f"/curate/taxonomy/{kind}/{slug}/edit").text
    again = as_curator.post(f"/curate/taxonomy/{kind}/{slug}/retire")
    assert "retired already" in flashed(as_curator, again)
    response = as_curator.post(f"/curate/taxonomy/{kind}/{slug}/restore")
    assert "is offered again" in flashed(as_curator, response)
    assert not fresh(model, slug=slug).retired
    assert audit_actions() == ["taxonomy.retired", "taxonomy.restored"]


def test_retired_values_are_not_offered_for_new_entries(as_curator, as_publisher, taxonomy):
    for path in (
        "/curate/taxonomy/challenges/retrofit/retire",
        "/curate/taxonomy/tracks/mobility/retire",
        "/curate/taxonomy/services/open-data/retire",
    ):
        assert as_curator.post(path).status_code == 302
    form = as_publisher.get("/my/entries/new").text
    assert 'value="smes"' in form
    for retired in ("retrofit", "last-mile", "congestion", "open-data"):
        assert f'value="{retired}"' not in form, retired


def test_an_old_entry_keeps_its_retired_values_when_edited(
    as_curator, as_publisher, taxonomy, porto, make_solution
):
    entry = make_solution(
        city=porto,
        status=Status.DRAFT,
        challenges=[taxonomy["challenges"]["retrofit"], taxonomy["challenges"]["congestion"]],
        services=[taxonomy["service"]],
    )
    for path in (
        "/curate/taxonomy/challenges/retrofit/retire",
        "/curate/taxonomy/tracks/mobility/retire",
        "/curate/taxonomy/services/open-data/retire",
    ):
        assert as_curator.post(path).status_code == 302
    form = as_publisher.get(f"/my/entries/{entry.id}/edit").text
    for kept in ("retrofit", "congestion", "open-data"):
        assert re.search(rf'value="{kept}"[^>]*checked|checked[^>]*value="{kept}"', form), kept
    assert 'value="last-mile"' not in form  # retired with its track, never chosen
    saved = as_publisher.post(
        f"/my/entries/{entry.id}/edit",
        data={
            "title": entry.title,
            "kind": "solution",
            "maturity": "pilot",
            "challenges": ["retrofit", "congestion", "smes"],
            "services": ["open-data"],
            "action": "save",
        },
    )
    assert saved.status_code == 302, words(saved)
    entry = fresh(Solution, id=entry.id)
    assert {c.slug for c in entry.challenges} == {"retrofit", "congestion", "smes"}
    assert [s.slug for s in entry.services] == ["open-data"]


def test_a_rename_shows_in_the_catalogue_and_the_index_follows(
    app, as_curator, client, taxonomy, make_solution
):
    make_solution(slug="insulated-schools", title="Insulated schools")
    search.rebuild()
    response = as_curator.post(
        "/curate/taxonomy/challenges/retrofit/edit", data={"name": "Renovation wave"}
    )
    assert response.status_code == 302
    catalogue = words(client.get("/solutions?challenge=retrofit"))
    assert "Renovation wave" in catalogue
    assert "Retrofitting buildings" not in catalogue
    assert "Insulated schools" in catalogue
    with app.app_context():
        assert not search.check()
        assert search.drain() == 0  # the request already applied the rename's outbox rows


# Cities


CITY = {
    "name": "Lviv",
    "slug": "",
    "country": "UA",
    "role": "core",
    "population": "720000",
    "website": "https://lviv.example",
    "profile": "IT cluster.",
}


def test_a_curator_adds_a_city(as_curator):
    assert "Add a city" in as_curator.get("/curate/cities").text
    response = as_curator.post("/curate/cities/new", data=CITY)
    assert "Lviv is added." in flashed(as_curator, response)
    city = fresh(City, slug="lviv")
    assert (city.country, city.role, city.population) == ("UA", "core", 720000)
    assert as_curator.get("/cities/lviv").status_code == 200
    assert audit_actions() == ["city.created"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"country": "ZZ"}, "two-letter ISO code"),
        ({"slug": "porto"}, "Another city has the address porto already."),
        ({"population": "many"}, "Not a valid integer value"),
        ({"name": ""}, "Give a name."),
    ],
)
def test_a_refused_city_keeps_what_was_typed(as_curator, porto, changes, message):
    response = as_curator.post("/curate/cities/new", data={**CITY, **changes})
    assert response.status_code == 400
    assert message in words(response)
    assert "IT cluster." in response.text
    assert 'value="https://lviv.example"' in response.text
    assert fresh(City, slug="lviv") is None
    assert audit_actions() == []


def test_a_curator_edits_a_city(as_curator, porto):
    page = as_curator.get("/curate/cities/porto/edit")
    assert 'value="Porto"' in page.text
    data = {**CITY, "name": "Porto", "slug": "porto", "country": "pt", "population": "232000"}
    response = as_curator.post("/curate/cities/porto/edit", data=data)
    assert "Porto is saved." in flashed(as_curator, response)
    city = fresh(City, slug="porto")
    assert (city.country, city.population, city.profile) == ("PT", 232000, "IT cluster.")
    (event,) = db.session.scalars(select(AuditEvent)).all()
    assert event.action == "city.edited"
    assert "population: 100000 -> 232000" in event.detail
    taken = as_curator.post(
        "/curate/cities/porto/edit", data={**data, "slug": "sofia-x", "country": "Portugal"}
    )
    assert taken.status_code == 400
    assert 'value="sofia-x"' in taken.text


# Accounts


def invitation_link(message) -> str:
    match = re.search(r"http://127\.0\.0\.1:5000(/invite/\S+)", message.get_content())
    assert match
    return match.group(1)


def test_an_admin_invites_and_the_invitee_sets_a_password(app, as_admin, porto, outbox):
    assert "Invite someone" in as_admin.get("/curate/users").text
    response = as_admin.post(
        "/curate/users/invite",
        data={
            "email": "niamh@porto.example",
            "display_name": "Niamh",
            "role": "publisher",
            "city": "porto",
        },
    )
    assert "niamh@porto.example is invited" in flashed(as_admin, response)
    (message,) = outbox()
    assert message["To"] == "niamh@porto.example"
    invitee = app.test_client()
    link = invitation_link(message)
    assert "Welcome, Niamh" in invitee.get(link).text
    done = invitee.post(
        link, data={"password": "a long new password", "confirm": "a long new password"}
    )
    assert done.status_code == 302
    assert invitee.get("/my").status_code == 200
    assert fresh(User, email="niamh@porto.example").has_password
    assert audit_actions() == ["user.invited"]


def test_an_invitation_is_refused_with_the_reason_next_to_the_field(as_admin, publisher, outbox):
    response = as_admin.post(
        "/curate/users/invite",
        data={"email": "pub@porto.example", "display_name": "Dup", "role": "curator", "city": ""},
    )
    assert response.status_code == 400
    assert "An account with the email pub@porto.example exists already." in words(response)
    no_city = as_admin.post(
        "/curate/users/invite",
        data={"email": "new@example.org", "display_name": "New", "role": "publisher", "city": ""},
    )
    assert no_city.status_code == 400
    assert "choose it" in words(no_city)
    assert 'value="new@example.org"' in no_city.text
    assert outbox() == []


def test_a_lost_invitation_is_sent_again(as_admin, outbox):
    as_admin.post("/curate/users/invite", data={"email": "late@example.org", "role": "curator"})
    user = fresh(User, email="late@example.org")
    page = as_admin.get(f"/curate/users/{user.id}")
    assert "Send the invitation again" in page.text
    response = as_admin.post(f"/curate/users/{user.id}/resend")
    assert "A new invitation link is on its way" in flashed(as_admin, response)
    assert len(outbox()) == 2


def test_an_admin_changes_role_and_city(as_admin, porto, make_city, make_user):
    other = make_user(email="pub@sofia.example", role="publisher", city=make_city(name="Sofia"))
    response = as_admin.post(f"/curate/users/{other.id}", data={"role": "curator", "city": "porto"})
    assert "is now curator for Porto" in flashed(as_admin, response)
    user = fresh(User, id=other.id)
    assert (user.role, user.city.slug) == ("curator", "porto")
    assert audit_actions() == ["user.role_changed", "user.city_changed"]


def test_an_admin_cannot_demote_or_deactivate_themselves(as_admin):
    me = fresh(User, email="admin@example.org")
    page = as_admin.get(f"/curate/users/{me.id}")
    assert "This is your own account" in page.text
    assert "Deactivate" not in page.text
    demote = as_admin.post(f"/curate/users/{me.id}", data={"role": "curator", "city": ""})
    assert demote.status_code == 400
    assert "You cannot change your own role" in words(demote)
    response = as_admin.post(f"/curate/users/{me.id}/deactivate")
    assert "You cannot deactivate your own account" in flashed(as_admin, response)
    user = fresh(User, id=me.id)
    assert (user.role, user.active) == ("admin", True)
    assert audit_actions() == []


def test_a_deactivated_user_is_signed_out_and_cannot_sign_in(
    app, as_admin, as_publisher, publisher, porto, make_solution, password
):
    entry = make_solution(city=porto, title="Porto bikes")
    assert as_publisher.get("/my").status_code == 200
    response = as_admin.post(f"/curate/users/{publisher.id}/deactivate")
    assert "is deactivated and signed out everywhere" in flashed(as_admin, response)
    ended = as_publisher.get("/my")
    assert ended.status_code == 302
    assert "/login" in ended.location
    retry = app.test_client().post("/login", data={"email": publisher.email, "password": password})
    assert retry.status_code == 400
    assert "The email or the password is not correct." in words(retry)
    assert "Deactivated" in words(as_admin.get("/curate/users"))
    assert fresh(Solution, id=entry.id).status == Status.PUBLISHED
    assert "Porto bikes" in app.test_client().get("/cities/porto").text
    back = as_admin.post(f"/curate/users/{publisher.id}/reactivate")
    assert "can sign in again" in flashed(as_admin, back)
    again = app.test_client().post("/login", data={"email": publisher.email, "password": password})
    assert again.status_code == 302
    assert audit_actions() == ["user.deactivated", "user.reactivated"]


# CSRF


def test_management_forms_need_a_token_and_keep_input_without_one(
    csrf_app, csrf_token_in, password
):
    with csrf_app.app_context():
        curator = User(email="cura@example.org", display_name="C", role="curator")
        curator.set_password(password)
        db.session.add_all([curator, Track(slug="green", name="Green", edition="2020-22")])
        db.session.commit()
    browser = csrf_app.test_client()
    token = csrf_token_in(browser.get("/login").text)
    browser.post(
        "/login", data={"email": "cura@example.org", "password": password, "csrf_token": token}
    )
    refused = browser.post("/curate/cities/new", data=CITY)
    assert refused.status_code == 400
    assert "nothing was saved" in words(refused)
    assert 'value="Lviv"' in refused.text
    assert browser.post("/curate/taxonomy/tracks/green/retire").status_code == 400
    form = browser.get("/curate/cities/new").text
    accepted = browser.post("/curate/cities/new", data={**CITY, "csrf_token": csrf_token_in(form)})
    assert accepted.status_code == 302
    overview = browser.get("/curate/taxonomy").text
    retire_token = csrf_token_in(overview)
    assert (
        browser.post(
            "/curate/taxonomy/tracks/green/retire", data={"csrf_token": retire_token}
        ).status_code
        == 302
    )
    with csrf_app.app_context():
        assert db.session.scalar(select(City.slug)) == "lviv"
        assert db.session.scalar(select(Track.retired))


def test_a_curator_names_a_term_and_its_words_in_other_languages(
    as_curator, client, taxonomy, build_index
):
    url = "/curate/taxonomy/challenges/retrofit/edit"
    page = as_curator.get(url).text
    assert 'name="name_fr"' in page
    assert 'name="phrases_de"' in page
    response = as_curator.post(
        url,
        data={
            "name": "Retrofitting buildings",
            "name_fr": "Rénovation des bâtiments",
            "phrases_fr": "rénovation énergétique\nisolation",
            "name_it": "",
        },
    )
    assert "names and words in the other languages" in flashed(as_curator, response)
    challenge = fresh(Challenge, slug="retrofit")
    assert challenge.labels == {"fr": "Rénovation des bâtiments"}
    assert "Rénovation des bâtiments" in client.get("/challenges/retrofit?lang=fr").text
    assert "Retrofitting buildings" in client.get("/challenges/retrofit?lang=it").text
    again = as_curator.get(url).text
    assert "rénovation énergétique\nisolation" in again
    (event,) = db.session.scalars(select(AuditEvent)).all()
    assert event.action == "taxonomy.translated"


def test_a_bad_phrase_in_another_language_is_shown_next_to_its_field(as_curator, taxonomy):
    response = as_curator.post(
        "/curate/taxonomy/challenges/retrofit/edit",
        data={"name": "Retrofitting buildings", "phrases_de": "x", "name_de": "Sanierung"},
    )
    assert response.status_code == 400
    assert 'value="Sanierung"' in response.text
    assert fresh(Challenge, slug="retrofit").labels in ({}, None)
