"""Signing in and out, sessions ended on the server, safe redirects, invitation and reset links."""

import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from marketplace.extensions import db
from marketplace.models import User
from marketplace.services import accounts
from marketplace.services.tokens import make_token

PASSWORD = "correct horse battery"


def _link_in(message) -> str:
    body = message.get_content()
    match = re.search(r"http://127\.0\.0\.1:5000(/\S+)", body)
    assert match, body
    return match.group(1)


def test_sign_in_page_has_a_labelled_form(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert '<label for="email">Email</label>' in page.text
    assert 'type="password"' in page.text


def test_head_answers_like_get_on_the_sign_in_and_password_pages(client, publisher):
    pages = ["/login", "/reset", f"/reset/{make_token(publisher, 'reset')}"]
    pages.append(f"/invite/{make_token(publisher, 'invite')}")
    for path in pages:
        assert (path, client.head(path).status_code) == (path, client.get(path).status_code)
        assert client.get(path).status_code == 200


def test_publisher_signs_in_and_lands_on_the_dashboard(client, auth, publisher):
    response = auth.login("PUB@porto.example ", PASSWORD)
    assert response.status_code == 302
    assert response.location == "/my"
    page = client.get("/my")
    assert page.status_code == 200
    assert "Porto: your entries" in page.text
    assert "Sign out" in client.get("/").text


@pytest.mark.parametrize(
    ("email", "password"),
    [("pub@porto.example", "wrong password"), ("nobody@porto.example", PASSWORD), ("", "")],
)
def test_failed_sign_in_gives_one_answer_and_keeps_the_email(
    client, auth, publisher, email, password
):
    response = auth.login(email, password)
    assert response.status_code == 400
    if email and password:
        assert "The email or the password is not correct." in response.text
        assert f'value="{email}"' in response.text
    else:
        assert "Enter your email address." in response.text
    assert client.get("/my").status_code == 302


def test_deactivated_account_cannot_sign_in(client, auth, publisher):
    publisher.active = False
    db.session.commit()
    response = auth.login(publisher.email, PASSWORD)
    assert "The email or the password is not correct." in response.text


def _language_of(user: User) -> str | None:
    db.session.expire_all()  # the sign-in committed in the request's own session
    return db.session.get(User, user.id).language


def test_signing_in_records_the_page_s_language_when_the_account_has_none(client, publisher):
    assert publisher.language is None
    response = client.post(
        "/login",
        data={"email": publisher.email, "password": PASSWORD},
        headers={"Accept-Language": "de-DE,de;q=0.9"},
    )
    assert response.status_code == 302
    assert _language_of(publisher) == "de"


def test_signing_in_never_overwrites_a_chosen_language(client, make_user):
    user = make_user(email="pt@example.org", password=PASSWORD, language="pt")
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 302
    assert _language_of(user) == "pt"


def test_a_failed_sign_in_records_no_language(client, publisher):
    client.post(
        "/login",
        data={"email": publisher.email, "password": "wrong password"},
        headers={"Accept-Language": "de"},
    )
    assert _language_of(publisher) is None


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/solutions?q=open+data", "/solutions?q=open+data"),
        ("https://evil.example/", "/my"),
        ("//evil.example/x", "/my"),
        ("/\\evil.example", "/my"),
        ("javascript:alert(1)", "/my"),
        ("", "/my"),
    ],
)
def test_next_redirects_stay_on_the_site(client, auth, publisher, target, expected):
    response = auth.login(publisher.email, PASSWORD, next=target)
    assert response.location == expected


def test_protected_page_sends_anonymous_visitors_to_sign_in_and_back(client, auth, publisher):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    login_page = client.get(response.location)
    assert 'value="/account"' in login_page.text
    assert auth.login(publisher.email, PASSWORD, next="/account").location == "/account"


def test_sign_out_ends_the_session_on_the_server(app, client, auth, publisher):
    auth.login(publisher.email, PASSWORD, remember="y")
    captured = {name: client.get_cookie(name).value for name in ("session", "remember_token")}
    assert client.get("/my").status_code == 200
    assert auth.logout().location == "/"
    replay = app.test_client()
    for name, value in captured.items():
        replay.set_cookie(name, value)
    assert replay.get("/my").status_code == 302


def test_sign_in_renews_the_session(client, auth, publisher):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login(publisher.email, PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.permanent


def test_deactivation_ends_existing_sessions(client, auth, publisher):
    auth.login(publisher.email, PASSWORD)
    publisher.active = False
    db.session.commit()
    assert client.get("/my").status_code == 302


def test_sessions_expire(app):
    assert app.permanent_session_lifetime.total_seconds() == 12 * 3600
    assert app.config["REMEMBER_COOKIE_DURATION"].days == 14


def test_invitation_link_sets_the_password_once(client, app, make_city, outbox):
    make_city(slug="cork", name="Cork")
    user = accounts.create_user("new@cork.example", "publisher", "Niamh", "cork")
    accounts.send_invitation(user)
    (message,) = outbox()
    assert message["To"] == "new@cork.example"
    link = _link_in(message)
    page = client.get(link)
    assert "Welcome, Niamh" in page.text
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 400
    assert "Use between 10 and 256 characters." in short.text
    done = client.post(
        link,
        data={"password": "a long new password", "confirm": "a long new password"},
        headers={"Accept-Language": "it"},
    )
    assert done.status_code == 302
    assert client.get("/my").status_code == 200
    assert _language_of(user) == "it"
    again = client.get(link)  # signed in now, so read in the account's language
    assert again.status_code == 400
    assert "già stato utilizzato" in again.text or "già utilizzato" in again.text


def test_reset_link_changes_the_password_and_ends_other_sessions(
    app, client, auth, publisher, outbox
):
    other_device = app.test_client()
    other_device.post("/login", data={"email": publisher.email, "password": PASSWORD})
    sent = client.post("/reset", data={"email": "Pub@Porto.example"})
    assert "Check your email" in sent.text
    assert outbox() == []  # the mail leaves once the server has sent the page...
    sent.close()  # ...and closed the response, as a WSGI server does
    link = _link_in(outbox()[0])
    new = "another long password"
    assert client.post(link, data={"password": new, "confirm": new}).status_code == 302
    assert other_device.get("/my").status_code == 302
    assert auth.logout().status_code == 302
    assert auth.login(publisher.email, PASSWORD).status_code == 400
    assert auth.login(publisher.email, new).status_code == 302


def test_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, outbox):
    response = client.post("/reset", data={"email": "nobody@nowhere.example"})
    assert "Check your email" in response.text
    response.close()
    assert outbox() == []


def test_tampered_and_expired_links_are_refused(app, client, publisher):
    token = make_token(publisher, "reset")
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert "not valid" in client.get(f"/reset/{tampered}").text
    assert "not valid" in client.get(f"/invite/{token}").text  # signed for another purpose
    forged = URLSafeTimedSerializer("not the secret", salt="account-reset").dumps(
        {"u": publisher.id}
    )
    assert client.get(f"/reset/{forged}").status_code == 400
    app.config["PASSWORD_RESET_HOURS"] = -1
    expired = client.get(f"/reset/{token}")
    assert expired.status_code == 400
    assert "expired" in expired.text


def test_csrf_is_enforced_on_sign_in_and_sign_out(csrf_app, csrf_token_in):
    with csrf_app.app_context():
        user = User(email="c@x.example", display_name="C", role="curator")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    client = csrf_app.test_client()
    refused = client.post("/login", data={"email": "c@x.example", "password": PASSWORD})
    assert refused.status_code == 400
    assert "nothing was saved" in refused.text
    assert 'value="c@x.example"' in refused.text  # what was typed is kept
    token = csrf_token_in(refused.text)
    signed_in = client.post(
        "/login", data={"email": "c@x.example", "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
    page = client.get("/account")
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200
    token = csrf_token_in(page.text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/account").status_code == 302
