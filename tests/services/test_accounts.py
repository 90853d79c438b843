"""Account rules: creation, authentication, passwords and single-use links."""

import argon2
import pytest

from marketplace.services import accounts
from marketplace.services.errors import ValidationFailed
from marketplace.services.tokens import InvalidToken, make_token, user_for_token


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"email": "not-an-email", "role": "curator"}, "not a valid email address"),
        ({"email": "a@b.example", "role": "boss"}, "Unknown role"),
        ({"email": "a@b.example", "role": "publisher"}, "A publisher belongs to a city"),
        ({"email": "a@b.example", "role": "publisher", "city_slug": "atlantis"}, "no city"),
        ({"email": "a@b.example", "role": "curator", "password": "short"}, "at least 10"),
        ({"email": "a@b.example", "role": "curator", "password": "x" * 257}, "at most 256"),
    ],
)
def test_create_user_refuses_bad_input(ctx, kwargs, message):
    with pytest.raises(ValidationFailed, match=message):
        accounts.create_user(**kwargs)


def test_emails_are_unique_whatever_their_case(ctx):
    accounts.create_user("Ana@Example.org", "curator", password="long enough password")
    with pytest.raises(ValidationFailed, match="exists already"):
        accounts.create_user("ana@example.ORG", "admin")


def test_authenticate(ctx, make_user):
    user = make_user(email="x@example.org")
    assert accounts.authenticate("X@example.org", "correct horse battery") == user
    assert user.last_login_at is not None
    assert accounts.authenticate("x@example.org", "wrong") is None
    assert accounts.authenticate("y@example.org", "correct horse battery") is None


def test_authenticate_adopts_the_page_s_language_only_when_none_was_chosen(ctx, make_user):
    fresh = make_user(email="fresh@example.org")
    chosen = make_user(email="chosen@example.org", language="fr")
    assert accounts.authenticate(fresh.email, "correct horse battery", "de") == fresh
    assert accounts.authenticate(chosen.email, "correct horse battery", "de") == chosen
    assert (fresh.language, chosen.language) == ("de", "fr")
    assert accounts.authenticate(fresh.email, "correct horse battery", "es") == fresh
    assert fresh.language == "de"


def test_an_unknown_or_inactive_account_costs_what_a_wrong_password_costs(ctx, make_user, verified):
    user = make_user(email="known@example.org")
    make_user(email="gone@example.org", active=False)
    for email in ("known@example.org", "nobody@example.org", "gone@example.org"):
        assert accounts.authenticate(email, "a wrong password") is None
    # One verification each, all against hashes of the same Argon2 parameters.
    assert len(verified) == 3
    assert verified[0] == user.password_hash
    assert len({str(argon2.extract_parameters(hash)) for hash in verified}) == 1


def test_invited_account_has_no_password_until_it_uses_the_link(ctx, make_city):
    make_city(slug="sofia")
    user = accounts.create_user("i@sofia.example", "publisher", city_slug="sofia")
    assert not user.has_password
    assert accounts.authenticate("i@sofia.example", "") is None
    token = make_token(user, "invite")
    assert user_for_token(token, "invite") == user
    accounts.set_password_with_token(token, "invite", "my own long password")
    with pytest.raises(InvalidToken, match="already been used"):
        user_for_token(token, "invite")


def test_password_change_ends_sessions(ctx, make_user):
    user = make_user()
    before = user.get_id()
    with pytest.raises(ValidationFailed, match="current password"):
        accounts.change_password(user, "wrong", "a new long password")
    assert user.get_id() == before
    accounts.change_password(user, "correct horse battery", "a new long password")
    assert user.get_id() != before
