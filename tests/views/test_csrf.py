"""Every POST route refuses a request without a valid CSRF token, and changes nothing."""

import pytest

from marketplace.extensions import db
from marketplace.models import Challenge, City, Solution, Track, User
from marketplace.services.tokens import make_token
from marketplace.vocab import Status

PASSWORD = "correct horse battery"


@pytest.fixture
def world(csrf_app):
    """A signed-in publisher with entries in every state an action needs, on a CSRF-on app."""
    with csrf_app.app_context():
        own = City(slug="porto", name="Porto", country="PT", role="mentor")
        other = City(slug="cork", name="Cork", country="IE", role="core")
        user = User(email="p@porto.example", display_name="P", role="publisher", city=own)
        user.set_password(PASSWORD)
        admin = User(email="a@example.org", display_name="A", role="admin")
        admin.set_password(PASSWORD)
        entries = {
            "own": Solution(
                slug="own", kind="solution", title="Own", city=own, status=Status.SUBMITTED
            ),
            "other": Solution(
                slug="other",
                kind="solution",
                title="Other",
                city=other,
                status=Status.PUBLISHED,
                contact_email="c@cork.example",
            ),
        }
        track = Track(slug="green", name="Green economy", edition="2020-22")
        challenge = Challenge(slug="retrofit", name="Retrofitting", track=track)
        db.session.add_all([own, other, user, admin, track, challenge, *entries.values()])
        db.session.commit()
        ids = {name: entry.id for name, entry in entries.items()}
        ids["user"] = user.id
        token = make_token(user, "reset")
    clients = {}
    for email in ("p@porto.example", "a@example.org"):
        client = csrf_app.test_client()
        page = client.get("/login")
        csrf = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        signed = client.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf}
        )
        assert signed.status_code == 302
        clients[email.split("@")[0]] = client
    return clients, ids, token


def _url_args(rule, ids, token):
    slug = "other"  # an entry
    if rule.rule.startswith("/curate/cities"):
        slug = "cork"
    elif rule.rule.startswith("/curate/taxonomy"):
        slug = "retrofit"
    values = {
        "slug": slug,
        "kind": "challenges",
        "entry_id": ids["own"],
        "user_id": ids["user"],
        "report_id": 1,
        "token": token,
        "name": "x.png",
        "code": "fr",
        "saved_id": 1,
    }
    return {arg: values[arg] for arg in rule.arguments}


def _post_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "POST" in rule.methods),
        key=lambda rule: rule.rule,
    )


def test_every_post_route_is_listed(csrf_app):
    endpoints = {rule.endpoint for rule in _post_rules(csrf_app)}
    assert {
        "auth.login",
        "auth.logout",
        "publish.new",
        "publish.edit",
        "exchange.adopt",
        "exchange.contact",
        "account.index",
    } <= endpoints


def test_posts_without_a_token_are_refused(csrf_app, world):
    clients, ids, token = world
    for rule in _post_rules(csrf_app):
        # Curators' pages as the admin, the others as the publisher: each may use them.
        client = clients["a" if rule.rule.startswith("/curate") else "p"]
        if rule.endpoint == "auth.login":
            continue  # signed in already: it only redirects (anonymous: test_auth checks CSRF)
        if rule.endpoint == "alerts.unsubscribe":
            continue  # RFC 8058 one-click: exempt, its signed token instead (views/test_alerts)
        url = rule.build(_url_args(rule, ids, token))[1] if rule.arguments else rule.rule
        response = client.post(
            url,
            data={
                "title": "Changed",
                "note": "x",
                "subject": "s",
                "message": "m" * 30,
                "form": "profile",
                "profile-display_name": "Changed",
            },
        )
        assert response.status_code == 400, (rule.rule, response.status_code)
    with csrf_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Solution)) == 2
        assert db.session.get(Solution, ids["own"]).status == Status.SUBMITTED
        assert db.session.scalar(db.select(User.display_name)) == "P"
        assert db.session.get(Solution, ids["other"]).adoptions == []
    assert clients["p"].get("/my").status_code == 200  # logout was refused too


def test_a_refused_form_view_still_answers_its_own_error(csrf_app, world):
    """A form view shown again after a CSRF failure may itself refuse (404 here), never a 500."""
    client = world[0]["p"]
    assert client.post("/my/entries/999999/edit", data={"title": "x"}).status_code == 404
    assert client.post("/solutions/no-such-entry/contact", data={"subject": "x"}).status_code == 404
