"""The data model: constraints and derived values the rest of the project relies on."""

from datetime import datetime

import argon2
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError

from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import Adoption, City, Solution, User
from marketplace.models.user import spend_password_check


def test_email_is_unique_whatever_its_case(make_user):
    user = make_user(email="  Ana.Costa@Porto.EXAMPLE ")
    assert user.email == "ana.costa@porto.example"
    db.session.add(User(email="ANA.COSTA@porto.example", display_name="Twin"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_passwords_are_stored_as_argon2id_hashes(make_user):
    user = make_user(password="a long passphrase")
    assert user.password_hash.startswith("$argon2id$")
    assert "a long passphrase" not in user.password_hash
    assert user.check_password("a long passphrase")
    assert not user.check_password("a long passphrase ")
    assert not user.check_password("")


def test_production_hashes_and_the_throwaway_check_use_argon2s_recommended_cost(tmp_path, verified):
    # Tests hash at the cheapest cost (TEST_CONFIG); this is the one test at production cost.
    app = create_app({"ENV": "production", "SECRET_KEY": "k" * 64, "DATA_DIR": str(tmp_path)})
    with app.app_context():
        user = User(email="prod@example.org", display_name="Prod")
        user.set_password("a long passphrase")
        assert user.check_password("a long passphrase")
        spend_password_check("a long passphrase")
    recommended = argon2.profiles.RFC_9106_LOW_MEMORY
    assert argon2.extract_parameters(user.password_hash) == recommended
    assert [argon2.extract_parameters(hash) for hash in verified] == [recommended, recommended]
    assert verified[1] != user.password_hash


def test_account_without_password_cannot_sign_in(ctx):
    user = User(email="invited@example.org", display_name="Invited")
    assert not user.check_password("")
    assert not user.check_password("anything")


def test_corrupt_password_hash_is_a_failed_check_not_a_crash(make_user):
    user = make_user()
    user.password_hash = "not-a-hash"
    assert not user.check_password("correct horse battery")


def test_inactive_user_is_not_active_for_flask_login(make_user):
    assert not make_user(active=False).is_active


def test_tracks_are_implied_by_challenges_in_track_order(make_solution, taxonomy):
    challenges = taxonomy["challenges"]
    solution = make_solution(
        challenges=[challenges["congestion"], challenges["retrofit"], challenges["smes"]]
    )
    assert [track.slug for track in solution.tracks] == ["green", "mobility"]


def test_timestamps_are_timezone_aware_utc(make_solution):
    solution = make_solution()
    db.session.expire_all()
    solution = db.session.get(Solution, solution.id)
    for value in (solution.created_at, solution.updated_at, solution.published_at):
        assert value.utcoffset().total_seconds() == 0


def test_naive_datetimes_are_refused(make_solution):
    solution = make_solution()
    solution.published_at = datetime(2025, 1, 1)  # noqa: DTZ001 (the point of the test)
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_slug_is_unique(make_solution):
    make_solution(slug="same")
    with pytest.raises(IntegrityError):
        make_solution(slug="same")
    db.session.rollback()


def test_deleting_an_entry_removes_its_adoptions_but_not_the_cities(make_solution, make_city):
    adopter = make_city(slug="adopter")
    solution = make_solution()
    solution.adoptions.append(Adoption(city=adopter, note="Copied in 2024"))
    db.session.commit()
    db.session.delete(solution)
    db.session.commit()
    assert db.session.scalars(select(Adoption)).all() == []
    assert db.session.get(City, adopter.id) is not None


def test_languages_round_trip_as_a_list(make_solution):
    solution = make_solution(languages=["pt", "en"])
    db.session.expire_all()
    assert db.session.get(Solution, solution.id).languages == ["pt", "en"]
