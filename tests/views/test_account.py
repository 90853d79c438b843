"""The account page: name, email and password changes."""

from email import message_from_bytes, policy

import pytest
import test_mail
from test_mail import use_smtp

from marketplace.extensions import db
from marketplace.models import User
from marketplace.services.tokens import make_token

smtp_server = test_mail.smtp_server  # the real SMTP server of the mail tests


@pytest.fixture
def user(make_user):
    return make_user(email="me@example.org", role="curator")


def test_account_page_shows_the_account(signed_in):
    page = signed_in.get("/account")
    assert page.status_code == 200
    assert "me@example.org" in page.text
    assert "Curator" in page.text


def test_change_name(signed_in, user):
    response = signed_in.post("/account", data={"form": "profile", "profile-display_name": "Maria"})
    assert response.status_code == 302
    assert db.session.get(User, user.id).display_name == "Maria"


def test_empty_name_is_refused_next_to_the_field(signed_in):
    response = signed_in.post("/account", data={"form": "profile", "profile-display_name": "  "})
    assert response.status_code == 400
    assert "Your name cannot be empty." in response.text


def test_change_email_needs_the_current_password(signed_in, user, make_user, password):
    make_user(email="taken@example.org")
    data = {"form": "email", "email-email": "new@example.org", "email-current_password": "nope"}
    wrong = signed_in.post("/account", data=data)
    assert wrong.status_code == 400
    assert "Your current password is not correct." in wrong.text
    assert 'value="new@example.org"' in wrong.text
    taken = signed_in.post(
        "/account",
        data={**data, "email-email": "Taken@example.org", "email-current_password": password},
    )
    assert "Another account uses this email address." in taken.text
    same = signed_in.post(
        "/account",
        data={**data, "email-email": "ME@example.org", "email-current_password": password},
    )
    assert "This is already your address." in same.text
    assert db.session.get(User, user.id).email == "me@example.org"


def test_change_password_keeps_this_session_and_ends_the_others(
    signed_in, user, client_for, password
):
    other = client_for(user)
    new = "a completely new password"
    data = {
        "form": "password",
        "password-current_password": password,
        "password-new_password": new,
        "password-confirm": "a different one entirely",
    }
    mismatch = signed_in.post("/account", data=data)
    assert "The two passwords are not the same." in mismatch.text
    ok = signed_in.post("/account", data={**data, "password-confirm": new})
    assert ok.status_code == 302
    assert signed_in.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert db.session.get(User, user.id).check_password(new)


@pytest.fixture
def mailbox(app, smtp_server):
    """The messages the real SMTP server received, by recipient."""
    port, handler = smtp_server()
    use_smtp(app, port)

    def received() -> dict:
        messages = [
            message_from_bytes(e.content, policy=policy.default) for _, e in handler.received
        ]
        return {m["To"]: m for m in messages}

    return received


def _ask(client, password, new="New@Example.org"):
    data = {"form": "email", "email-email": new, "email-current_password": password}
    return client.post("/account", data=data, follow_redirects=True)


def _link(message) -> str:
    return next(w for w in message.get_content().split() if "/account/email/" in w)


def test_a_new_address_is_used_only_once_its_link_is_followed(signed_in, user, password, mailbox):
    page = _ask(signed_in, password)

    assert "We sent a link to new@example.org." in page.text
    assert "Your address stays me@example.org until you follow it" in page.text
    assert db.session.get(User, user.id).email == "me@example.org"
    told = mailbox()
    assert set(told) == {"new@example.org", "me@example.org"}
    assert "new@example.org" in told["me@example.org"].get_content()
    assert "/account/email/" not in told["me@example.org"].get_content()
    path = _link(told["new@example.org"]).split("://", 1)[1].split("/", 1)[1]

    shown = signed_in.get(f"/{path}")  # a mail scanner opening the link changes nothing
    assert shown.status_code == 200
    assert "new@example.org" in shown.text
    assert db.session.get(User, user.id).email == "me@example.org"
    done = signed_in.post(f"/{path}", follow_redirects=True)
    assert "Your email address is now new@example.org" in done.text
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "new@example.org"
    again = signed_in.post(f"/{path}")
    assert again.status_code == 400
    assert "already been used" in again.text


def test_a_tampered_or_stale_link_changes_nothing(app, client, user):
    token = make_token(user, "email", e="new@example.org")
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert "not valid" in client.post(f"/account/email/{tampered}").text
    assert "not valid" in client.get(f"/reset/{token}").text  # signed for another purpose
    app.config["EMAIL_CHANGE_HOURS"] = -1
    stale = client.post(f"/account/email/{token}")
    assert stale.status_code == 400
    assert "expired" in stale.text
    assert db.session.get(User, user.id).email == "me@example.org"


def test_an_address_taken_before_the_link_is_followed_is_refused(client, user, make_user):
    token = make_token(user, "email", e="new@example.org")
    make_user(email="new@example.org")
    db.session.commit()

    refused = client.post(f"/account/email/{token}")

    assert refused.status_code == 400
    assert "Another account uses new@example.org now" in refused.text
    assert "your address stays me@example.org" in refused.text
    assert db.session.get(User, user.id).email == "me@example.org"
