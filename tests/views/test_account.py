"""The account page: name, email and password changes."""

import pytest

from marketplace.extensions import db
from marketplace.models import User


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
    ok = signed_in.post("/account", data={**data, "email-current_password": password})
    assert ok.status_code == 302
    assert db.session.get(User, user.id).email == "new@example.org"


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
