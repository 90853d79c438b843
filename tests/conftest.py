"""Shared fixtures: an app on a temporary data dir, its clients, and factories for test data."""

from __future__ import annotations

import itertools
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import argon2
import pytest
import translation_catalogues
from databases import Databases, release, unavailable
from flask import g, has_app_context
from flask.testing import FlaskClient
from support import PASSWORD, TEST_CONFIG, sign_in

from marketplace import create_app, search
from marketplace.extensions import db
from marketplace.models import SDG, Challenge, City, Solution, Track, TransversalService, User
from marketplace.services import demo
from marketplace.vocab import Status


def pytest_addoption(parser):
    parser.addoption(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="where test apps keep their rows: SQLite files in their data dirs (default), or "
        "databases made and dropped on the PostgreSQL server of tests/postgres.py",
    )


def pytest_report_header(config):
    return f"database: {config.getoption('database')}"


def pytest_terminal_summary(terminalreporter):
    """The API's schemathesis run in one line (tests/views/test_api_schema.py), also under xdist."""
    runs = [
        (dict(report.user_properties)["api_schema_cases"], report.failed)
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if report.when == "call" and "api_schema_cases" in dict(report.user_properties)
    ]
    if runs:
        cases, failed = sum(c for c, _ in runs), sum(f for _, f in runs)
        terminalreporter.write_line(
            f"RESULT api schema: {cases} cases over {len(runs)} operation runs, {failed} failed "
            "(server errors or answers that violate /api/v1/openapi.json)"
        )


def pytest_configure(config):
    """Compile stale translations once, in the controlling process (xdist workers only read)."""
    if not hasattr(config, "workerinput"):
        translation_catalogues.compile_stale()


class Client(FlaskClient):
    """A test client whose requests do not see the signed-in user of the previous request.

    While a test holds an app context (the ``ctx`` fixture), Flask runs requests inside it instead
    of a fresh one, so Flask-Login's per-request cache in ``g`` would carry over between clients.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
            g.pop("_flask_babel", None)  # the language Flask-Babel chose for the last request
        return super().open(*args, **kwargs)


def _make_app(data_dir: Path | None = None, **overrides):
    """A test app on ``data_dir`` (or the DATA_DIR of ``overrides``)."""
    where = {"DATA_DIR": str(data_dir)} if data_dir else {}
    app = create_app({**TEST_CONFIG, **where, **overrides})
    app.test_client_class = Client
    return app


@pytest.fixture(scope="session")
def databases(request):
    """This process's test databases (see Databases); the PostgreSQL ones are dropped at the end."""
    kind = request.config.getoption("database")
    if kind == "postgresql" and (reason := unavailable()):
        pytest.exit(f"--database=postgresql: {reason}", returncode=1)
    databases = Databases(kind)
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def empty_data_dir(tmp_path_factory, databases):
    """A data dir holding an empty database (tables created from the models), built once.

    Copying it takes milliseconds; creating the tables took a fifth of a second in every test.
    """
    data_dir = tmp_path_factory.mktemp("empty")
    app = _make_app(data_dir, **databases.template("empty"))
    with app.app_context():
        db.create_all()
    release(app)
    return data_dir


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)  # a live index is a relative symlink
    return target


@pytest.fixture
def app(tmp_path, empty_data_dir, databases):
    """An app on a private copy of an empty database."""
    app = _make_app(_copy(empty_data_dir, tmp_path / "data"), **databases.scratch())
    yield app
    release(app)


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory, databases):
    """A data dir holding the seeded demo catalogue and its search index, built once per session."""
    data_dir = tmp_path_factory.mktemp("demo")
    app = _make_app(data_dir, **databases.template("demo"))
    with app.app_context():
        db.create_all()
        demo.seed_demo()
        search.rebuild()  # as `seed-demo` and `make run` do: the search page never builds one
    release(app)
    return data_dir


@pytest.fixture(scope="session")
def copy_data(databases):
    """Copy a prepared data dir ("empty" or "demo") and its database; returns the app settings."""

    def copy(source: Path, target: Path, template: str) -> dict:
        return {"DATA_DIR": str(_copy(source, target)), **databases.copy(template)}

    return copy


@pytest.fixture
def demo_app(tmp_path, demo_data_dir, copy_data, databases):
    """An app on a private copy of the seeded demo catalogue and its search index."""
    settings = copy_data(demo_data_dir, tmp_path / "data", "demo")
    app = _make_app(**settings)
    yield app
    release(app)
    databases.discard(settings)


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
    def make(password: str = PASSWORD, **overrides) -> User:
        n = next(_numbers)
        values = {"email": f"user{n}@example.org", "display_name": f"User {n}"}
        user = User(**{**values, **overrides})
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def porto(make_city):
    return make_city(slug="porto", name="Porto", country="PT")


@pytest.fixture
def publisher(make_user, porto):
    """A publisher of Porto."""
    return make_user(email="pub@porto.example", role="publisher", city=porto)


@pytest.fixture
def curator(make_user):
    return make_user(email="cura@example.org", role="curator", display_name="Cora")


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@example.org", role="admin")


@pytest.fixture
def verified(monkeypatch):
    """The password hashes Argon2 verifies against, in order, while the test runs."""
    hashes = []
    verify = argon2.PasswordHasher.verify
    monkeypatch.setattr(
        argon2.PasswordHasher,
        "verify",
        lambda self, hash, password: hashes.append(hash) or verify(self, hash, password),
    )
    return hashes


@pytest.fixture
def outbox(app):
    """The messages the app has mailed so far (development mode writes them to the data dir)."""
    from marketplace.mail import read_outbox

    return lambda: read_outbox(app.config["DATA_DIR"])


class Auth:
    """Sign a test client in and out: through the real forms, or straight into the session."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **extra):
        return self.client.post("/login", data={"email": email, "password": password, **extra})

    def sign_in(self, user: User) -> FlaskClient:
        return sign_in(self.client, user)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def client_for(app):
    """A new test client (a browser of its own) signed in as the given user."""
    return lambda user: sign_in(app.test_client(), user)


@pytest.fixture
def password():
    """The password make_user gives an account unless told otherwise, for forms that ask for it."""
    return PASSWORD


@pytest.fixture
def signed_in(auth, user):
    """The ``client`` signed in as ``user`` (each module says who ``user`` is)."""
    return auth.sign_in(user)


@pytest.fixture
def as_curator(client_for, curator):
    """A browser of its own signed in as ``curator`` (``client`` stays anonymous)."""
    return client_for(curator)


@pytest.fixture
def csrf_app(tmp_path, empty_data_dir, copy_data, databases):
    """An app with CSRF protection on, as in production."""
    settings = copy_data(empty_data_dir, tmp_path / "csrf", "empty")
    app = _make_app(**settings, WTF_CSRF_ENABLED=True)
    yield app
    release(app)
    databases.discard(settings)


@pytest.fixture
def csrf_token_in():
    """Read the CSRF token out of a page, as a browser submitting its form would send it."""

    def find(html: str, name: str = "csrf_token") -> str:
        match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]+)"', html) or re.search(
            rf'value="([^"]+)"[^>]*name="{re.escape(name)}"', html
        )
        assert match, f"no {name} field in the page"
        return match.group(1)

    return find


# --- Search index ---------------------------------------------------------------------------
# The search page never builds a missing index inside a request (issue 9): a test that searches
# builds it, as `make run` and `flask search rebuild` do.


@pytest.fixture
def build_index(app):
    """Build the search index of everything committed so far; call it again after more changes."""

    def build() -> int:
        with app.app_context():
            return search.rebuild()

    return build
