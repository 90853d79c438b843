"""Between cities: adoption, contacting an entry's owners, and city profiles."""

import pytest

from marketplace.extensions import db
from marketplace.models import Adoption, ContactMessage
from marketplace.vocab import Status


@pytest.fixture
def owner_city(make_city):
    return make_city(slug="aarhus", name="Aarhus", country="DK")


@pytest.fixture
def entry(make_solution, owner_city):
    return make_solution(
        city=owner_city,
        title="Traffic lights that favour buses",
        contact_email="mobility@aarhus.example",
        contact_name="Freja",
    )


@pytest.fixture
def visitor(make_user, make_city):
    city = make_city(slug="zagreb", name="Zagreb", country="HR")
    return make_user(email="ana@zagreb.example", role="publisher", city=city)


@pytest.fixture
def user(visitor):
    """Who ``signed_in`` is: a publisher of another city than the entry's."""
    return visitor


def test_another_citys_publisher_records_and_undoes_an_adoption(signed_in, entry):
    page = signed_in.get(f"/solutions/{entry.slug}")
    assert "Our city adopted this" in page.text
    response = signed_in.post(
        f"/solutions/{entry.slug}/adopt", data={"note": "Two bus lines since May"}
    )
    assert response.status_code == 302
    public = signed_in.get(f"/solutions/{entry.slug}")
    assert "Zagreb" in public.text
    assert "Two bus lines since May" in public.text
    assert "Traffic lights that favour buses" in signed_in.get("/cities/zagreb").text
    signed_in.post(f"/solutions/{entry.slug}/adopt", data={"note": "Three lines now"})
    (adoption,) = db.session.scalars(db.select(Adoption)).all()
    assert adoption.note == "Three lines now"
    assert signed_in.post(f"/solutions/{entry.slug}/unadopt").status_code == 302
    assert db.session.scalars(db.select(Adoption)).all() == []


def test_adoption_note_is_limited_and_the_form_hidden_from_others(client, signed_in, entry, auth):
    too_long = signed_in.post(f"/solutions/{entry.slug}/adopt", data={"note": "x" * 501})
    assert too_long.status_code == 302
    assert "500" in signed_in.get(too_long.location).text
    assert db.session.scalars(db.select(Adoption)).all() == []
    auth.logout()
    assert "Our city adopted this" not in client.get(f"/solutions/{entry.slug}").text
    assert client.post(f"/solutions/{entry.slug}/adopt").status_code == 302  # to sign-in


def test_own_city_cannot_adopt_its_entry(auth, make_user, entry, owner_city):
    own = make_user(email="own@aarhus.example", role="publisher", city=owner_city)
    auth.sign_in(own)
    assert "Our city adopted this" not in auth.client.get(f"/solutions/{entry.slug}").text
    assert auth.client.post(f"/solutions/{entry.slug}/adopt").status_code == 403


def test_unpublished_entries_cannot_be_adopted(signed_in, make_solution, owner_city):
    draft = make_solution(city=owner_city, status=Status.DRAFT)
    assert signed_in.post(f"/solutions/{draft.slug}/adopt").status_code == 404


def test_contact_the_city_mails_the_contact_and_keeps_a_copy(signed_in, entry, outbox, visitor):
    page = signed_in.get(f"/solutions/{entry.slug}/contact")
    assert page.status_code == 200
    response = signed_in.post(
        f"/solutions/{entry.slug}/contact",
        data={
            "subject": "Bus priority",
            "message": "How did you get the signal data from the operator?",
        },
    )
    assert response.status_code == 302
    (message,) = outbox()
    assert message["To"] == "mobility@aarhus.example"
    assert message["Reply-To"] == visitor.email
    assert "Bus priority" in message["Subject"]
    assert "signal data" in message.get_content()
    stored = db.session.scalars(db.select(ContactMessage)).one()
    assert stored.recipient == "mobility@aarhus.example"


def test_contact_messages_are_length_and_rate_limited(app, signed_in, entry, outbox):
    short = signed_in.post(
        f"/solutions/{entry.slug}/contact", data={"subject": "Hi", "message": "Too short"}
    )
    assert short.status_code == 400
    assert "Write between 20 and 5000 characters." in short.text
    assert "Too short" in short.text
    app.config["CONTACT_MESSAGES_PER_DAY"] = 2
    data = {"subject": "Question", "message": "A question long enough to be sent."}
    for _ in range(2):
        assert signed_in.post(f"/solutions/{entry.slug}/contact", data=data).status_code == 302
    third = signed_in.post(f"/solutions/{entry.slug}/contact", data=data)
    assert third.status_code == 429
    assert "try again tomorrow" in third.text
    assert "A question long enough to be sent." in third.text  # kept
    assert len(outbox()) == 2


def test_a_refused_mail_keeps_the_message_for_another_try(app, signed_in, entry):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9, SMTP_SECURITY="none", SMTP_TIMEOUT=2)
    data = {"subject": "Question", "message": "A question long enough to be sent."}
    response = signed_in.post(f"/solutions/{entry.slug}/contact", data=data)
    assert response.status_code == 503
    assert "could not be sent just now" in response.text
    assert "A question long enough to be sent." in response.text
    assert db.session.scalars(db.select(ContactMessage)).all() == []


def test_contact_is_not_offered_without_a_contact(
    client, signed_in, make_solution, owner_city, auth
):
    silent = make_solution(city=owner_city, contact_email="")
    assert signed_in.get(f"/solutions/{silent.slug}/contact").status_code == 403
    auth.logout()  # visitors may write (tests/views/test_visitor_contact.py), but not to nobody
    assert client.get(f"/solutions/{silent.slug}/contact").status_code == 403


def test_hidden_contact_block_stays_hidden(client, make_solution, owner_city):
    hidden = make_solution(
        city=owner_city, contact_email="secret@aarhus.example", contact_public=False
    )
    assert "secret@aarhus.example" not in client.get(f"/solutions/{hidden.slug}").text


def test_publisher_edits_the_profile_of_their_city(signed_in, visitor):
    page = signed_in.get("/my/city")
    assert page.status_code == 200
    bad = signed_in.post(
        "/my/city", data={"profile": "Kept text", "website": "ftp://x", "population": "abc"}
    )
    assert bad.status_code == 400
    assert "Kept text" in bad.text
    response = signed_in.post(
        "/my/city",
        data={
            "profile": "Zagreb **shares** its e-services.",
            "website": "https://zagreb.example",
            "population": "767131",
        },
    )
    assert response.status_code == 302
    public = signed_in.get("/cities/zagreb")
    assert "<strong>shares</strong>" in public.text
    db.session.expire_all()
    assert visitor.city.population == 767131


def test_curators_have_no_city_profile_to_edit(auth, make_user):
    curator = make_user(email="c@example.org", role="curator")
    auth.sign_in(curator)
    assert auth.client.get("/my/city").status_code == 403
