"""Shared fixtures: an app on a temporary data dir, its clients, and factories for test data."""

from __future__ import annotations

import itertools
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import SDG, Challenge, City, Solution, Track, TransversalService, User
from marketplace.services import demo
from marketplace.vocab import Status

TEST_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "SECRET_KEY": "test-secret",
    "PER_PAGE": 5,
}


def _make_app(data_dir: Path, **overrides):
    return create_app({**TEST_CONFIG, "DATA_DIR": str(data_dir), **overrides})


@pytest.fixture
def app(tmp_path):
    """An app on an empty database (tables created from the models)."""
    app = _make_app(tmp_path / "data")
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory):
    """A data dir holding the seeded demo catalogue, built once per test session."""
    data_dir = tmp_path_factory.mktemp("demo")
    app = _make_app(data_dir)
    with app.app_context():
        db.create_all()
        demo.seed_demo()
        db.engine.dispose()
    return data_dir


@pytest.fixture
def demo_app(tmp_path, demo_data_dir):
    """An app on a private copy of the seeded demo catalogue."""
    data_dir = tmp_path / "data"
    shutil.copytree(demo_data_dir, data_dir)
    app = _make_app(data_dir)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


_numbers = itertools.count(1)


@pytest.fixture
def make_city(ctx):
    def make(**overrides) -> City:
        n = next(_numbers)
        values = {
            "slug": f"city-{n}",
            "name": f"City {n}",
            "country": "PT",
            "role": "core",
            "population": 100_000,
        }
        city = City(**{**values, **overrides})
        db.session.add(city)
        db.session.commit()
        return city

    return make


@pytest.fixture
def taxonomy(ctx):
    """A small taxonomy: two tracks with two challenges each, one service, two SDGs."""
    green = Track(slug="green", name="Green economy", edition="2020-22", position=0)
    mobility = Track(slug="mobility", name="Mobility", edition="2020-22", position=1)
    challenges = {
        "retrofit": Challenge(slug="retrofit", name="Retrofitting buildings", track=green),
        "smes": Challenge(slug="smes", name="Green SMEs", track=green, position=1),
        "last-mile": Challenge(slug="last-mile", name="Last mile", track=mobility),
        "congestion": Challenge(slug="congestion", name="Congestion", track=mobility, position=1),
    }
    service = TransversalService(slug="open-data", name="Open data platforms")
    sdgs = [SDG(number=7, name="Affordable and clean energy"), SDG(number=11, name="Cities")]
    db.session.add_all([green, mobility, *challenges.values(), service, *sdgs])
    db.session.commit()
    return {"tracks": [green, mobility], "challenges": challenges, "service": service, "sdgs": sdgs}


@pytest.fixture
def make_solution(ctx, make_city, taxonomy):
    def make(**overrides) -> Solution:
        n = next(_numbers)
        status = overrides.pop("status", Status.PUBLISHED)
        values = {
            "slug": f"solution-{n}",
            "kind": "solution",
            "title": f"Solution number {n}",
            "summary": f"Summary of solution {n}.",
            "description": "A **Markdown** description.",
            "maturity": "pilot",
            "city": overrides.pop("city", None) or make_city(),
            "challenges": [taxonomy["challenges"]["retrofit"]],
            "status": status,
            "published_at": datetime(2025, 1, 1, tzinfo=UTC) if status == "published" else None,
        }
        solution = Solution(**{**values, **overrides})
        db.session.add(solution)
        db.session.commit()
        return solution

    return make


@pytest.fixture
def make_user(ctx):
    def make(password: str = "correct horse battery", **overrides) -> User:
        n = next(_numbers)
        values = {"email": f"user{n}@example.org", "display_name": f"User {n}"}
        user = User(**{**values, **overrides})
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make
