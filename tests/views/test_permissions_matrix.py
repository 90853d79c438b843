"""Every route of the application against every kind of visitor, from one table.

A route missing from the table fails the test, so a new page cannot ship without deciding
who may use it. Each case runs on a fresh copy of one small catalogue.
"""

from datetime import UTC, datetime

import pytest
from databases import release
from security_headers import missing_headers

from marketplace import create_app, search
from marketplace.extensions import db
from marketplace.models import (
    SDG,
    Challenge,
    City,
    SavedSearch,
    Solution,
    SolutionRevision,
    SolutionTranslation,
    Track,
    TransversalService,
    User,
)
from marketplace.models.report import Report
from marketplace.services import alerts
from marketplace.vocab import Status

# Who may do what does not depend on the search: no sentence encoder, and no embedding thread
# still running when the next case builds its app (CPython 3.11, gh-106905).
WORDS_ONLY = {"SEARCH_ENCODER": "none", "SEARCH_EMBED_IN_BACKGROUND": False}
ROLES = ("anonymous", "owner", "other", "curator", "admin")
OK, LOGIN = "ok", "login"
PUBLIC = dict.fromkeys(ROLES, OK)
SIGNED_IN = {"anonymous": LOGIN, "owner": OK, "other": OK, "curator": OK, "admin": OK}
PUBLISHERS = {"anonymous": LOGIN, "owner": OK, "other": OK, "curator": 403, "admin": 403}
OWNER = {"anonymous": LOGIN, "owner": OK, "other": 403, "curator": OK, "admin": OK}
AUTHOR = {"anonymous": LOGIN, "owner": OK, "other": 403, "curator": 403, "admin": 403}
OTHER_CITY = {"anonymous": LOGIN, "owner": 403, "other": OK, "curator": 403, "admin": 403}
CURATORS = {"anonymous": LOGIN, "owner": 403, "other": 403, "curator": OK, "admin": OK}
ADMINS = {"anonymous": LOGIN, "owner": 403, "other": 403, "curator": 403, "admin": OK}
EVERYONE = lambda status: dict.fromkeys(ROLES, status)  # noqa: E731

# (endpoint, method, url arguments, expected outcome per role)
CASES = [
    ("main.home", "GET", {}, PUBLIC),
    ("main.about", "GET", {}, PUBLIC),
    ("health.check", "GET", {}, PUBLIC),
    ("static", "GET", {"filename": "site.css"}, PUBLIC),
    ("media.image", "GET", {"name": "0" * 32 + ".png"}, EVERYONE(404)),
    ("catalogue.index", "GET", {}, PUBLIC),
    ("catalogue.detail", "GET", {"slug": "published"}, PUBLIC),
    (
        "catalogue.detail",
        "GET",
        {"slug": "draft"},
        {"anonymous": 404, "owner": OK, "other": 404, "curator": OK, "admin": OK},
    ),
    ("cities.index", "GET", {}, PUBLIC),
    ("cities.detail", "GET", {"slug": "owner-city"}, PUBLIC),
    ("taxonomy.tracks", "GET", {}, PUBLIC),
    ("taxonomy.track", "GET", {"slug": "green"}, PUBLIC),
    ("taxonomy.challenge", "GET", {"slug": "retrofit"}, PUBLIC),
    ("taxonomy.service", "GET", {"slug": "open-data"}, PUBLIC),
    ("taxonomy.sdg", "GET", {"number": 7}, PUBLIC),
    ("api.solutions", "GET", {}, PUBLIC),
    ("api.suggest", "GET", {}, PUBLIC),
    ("api.solution", "GET", {"slug": "published"}, PUBLIC),
    # The API shows published data only, whoever asks (no session is read for it).
    ("api.solution", "GET", {"slug": "draft"}, EVERYONE(404)),
    ("api.solution", "GET", {"slug": "archived"}, EVERYONE(404)),
    ("api.cities", "GET", {}, PUBLIC),
    ("api.city", "GET", {"slug": "owner-city"}, PUBLIC),
    ("api.tracks", "GET", {}, PUBLIC),
    ("api.challenges", "GET", {}, PUBLIC),
    ("api.services", "GET", {}, PUBLIC),
    ("api.sdgs", "GET", {}, PUBLIC),
    ("api.openapi", "GET", {}, PUBLIC),
    ("api.guide", "GET", {}, PUBLIC),
    ("discovery.sitemap_xml", "GET", {}, PUBLIC),
    # One file holds the small catalogue: no numbered files.
    ("discovery.sitemap_file", "GET", {"number": 1}, EVERYONE(404)),
    ("discovery.robots_txt", "GET", {}, PUBLIC),
    ("feeds.solutions", "GET", {}, PUBLIC),
    ("dcat.turtle", "GET", {}, PUBLIC),
    ("dcat.jsonld", "GET", {}, PUBLIC),
    # Downloads list published entries only, whoever asks (test_exports.py reads them).
    ("exports.search_csv", "GET", {}, PUBLIC),
    ("exports.search_jsonl", "GET", {}, PUBLIC),
    ("exports.data", "GET", {}, PUBLIC),
    ("exports.dump_file", "GET", {"name": "tech4good-dump-20250101T000000Z.zip"}, EVERYONE(404)),
    ("auth.login", "GET", {}, PUBLIC),
    ("auth.logout", "POST", {}, PUBLIC),
    ("language.choose", "POST", {}, EVERYONE(400)),
    ("auth.reset_request", "GET", {}, PUBLIC),
    ("auth.reset", "GET", {"token": "not-a-token"}, EVERYONE(400)),
    ("auth.invitation", "GET", {"token": "not-a-token"}, EVERYONE(400)),
    ("account.index", "GET", {}, SIGNED_IN),
    ("alerts.new", "GET", {}, PUBLIC),
    ("alerts.confirm", "GET", {"token": "not-a-token"}, EVERYONE(400)),
    ("alerts.confirm", "GET", {"token": "alert-confirm"}, PUBLIC),
    ("alerts.unsubscribe", "GET", {"token": "not-a-token"}, EVERYONE(400)),
    ("alerts.unsubscribe", "GET", {"token": "alert-unsubscribe"}, PUBLIC),
    ("alerts.frequency", "POST", {"saved_id": "saved"}, AUTHOR),
    ("alerts.delete", "POST", {"saved_id": "saved"}, AUTHOR),
    ("publish.dashboard", "GET", {}, PUBLISHERS),
    ("publish.new", "GET", {}, PUBLISHERS),
    ("publish.city_profile", "GET", {}, PUBLISHERS),
    ("publish.entry", "GET", {"entry_id": "draft"}, OWNER),
    ("publish.edit", "GET", {"entry_id": "draft"}, OWNER),
    (
        "publish.edit",
        "GET",
        {"entry_id": 999999},
        {"anonymous": LOGIN, "owner": 404, "other": 404, "curator": 404, "admin": 404},
    ),
    ("publish.add_translation", "GET", {"entry_id": "draft", "language": "fr"}, OWNER),
    ("publish.translation", "GET", {"entry_id": "draft", "code": "fr"}, OWNER),
    (
        "publish.translation",
        "GET",
        {"entry_id": "draft", "code": "en"},  # the original's language
        {"anonymous": LOGIN, "owner": 404, "other": 403, "curator": 404, "admin": 404},
    ),
    ("publish.remove_translation", "POST", {"entry_id": "draft", "code": "de"}, OWNER),
    ("publish.withdraw", "POST", {"entry_id": "submitted"}, AUTHOR),
    ("publish.archive", "POST", {"entry_id": "published"}, AUTHOR),
    ("publish.discard", "POST", {"entry_id": "published"}, AUTHOR),
    ("exchange.adopt", "POST", {"slug": "published"}, OTHER_CITY),
    ("exchange.unadopt", "POST", {"slug": "published"}, OTHER_CITY),
    # Visitors write too (their address confirmed by mail); signed in, only other cities do.
    ("exchange.contact", "GET", {"slug": "published"}, {**OTHER_CITY, "anonymous": OK}),
    ("exchange.visitor_confirm", "GET", {"token": "not-a-token"}, EVERYONE(400)),
    ("reports.new", "GET", {"slug": "published"}, PUBLIC),
    ("reports.new", "GET", {"slug": "draft"}, EVERYONE(404)),
    ("reports.curate_index", "GET", {}, CURATORS),
    ("reports.curate_review", "GET", {"report_id": "report"}, CURATORS),
    ("curate.queue", "GET", {}, CURATORS),
    ("curate.review", "GET", {"entry_id": "submitted"}, CURATORS),
    ("curate.decide", "POST", {"entry_id": "submitted"}, CURATORS),
    ("curate.archive", "POST", {"entry_id": "published"}, CURATORS),
    ("curate.republish", "POST", {"entry_id": "archived"}, CURATORS),
    ("curate.feature", "POST", {"entry_id": "published"}, CURATORS),
    ("curate.bulk", "POST", {}, CURATORS),
    ("curate.audit_log", "GET", {}, CURATORS),
    # A POST without a file (or without a checked one) shows the page again with the reason.
    ("imports.page", "GET", {}, CURATORS),
    ("imports.page", "POST", {}, {**CURATORS, "curator": 400, "admin": 400}),
    ("imports.run", "POST", {}, {**CURATORS, "curator": 400, "admin": 400}),
    ("curate.audit_csv", "GET", {}, CURATORS),
    ("manage.taxonomy", "GET", {}, CURATORS),
    ("manage.create_term", "GET", {"kind": "challenges"}, CURATORS),
    ("manage.edit_term", "GET", {"kind": "challenges", "slug": "retrofit"}, CURATORS),
    ("manage.move_term", "POST", {"kind": "challenges", "slug": "retrofit"}, CURATORS),
    ("manage.retire_term", "POST", {"kind": "services", "slug": "open-data"}, CURATORS),
    ("manage.restore_term", "POST", {"kind": "services", "slug": "open-data"}, CURATORS),
    ("manage.cities", "GET", {}, CURATORS),
    ("manage.create_city", "GET", {}, CURATORS),
    ("manage.edit_city", "GET", {"slug": "owner-city"}, CURATORS),
    ("manage.users", "GET", {}, ADMINS),
    ("manage.invite", "GET", {}, ADMINS),
    ("manage.edit_user", "GET", {"user_id": "other"}, ADMINS),
    ("manage.deactivate", "POST", {"user_id": "other"}, ADMINS),
    ("manage.reactivate", "POST", {"user_id": "other"}, ADMINS),
    ("manage.resend_invitation", "POST", {"user_id": "invited"}, ADMINS),
]


@pytest.fixture(scope="module")
def catalogue_dir(tmp_path_factory, databases):
    """One small catalogue with an entry in each state the routes need, built once."""
    data_dir = tmp_path_factory.mktemp("matrix")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "matrix",
            "DATA_DIR": str(data_dir),
            "WTF_CSRF_ENABLED": False,
            **WORDS_ONLY,
            **databases.template("matrix"),
        }
    )
    with app.app_context():
        db.create_all()
        owner_city = City(slug="owner-city", name="Owner City", country="PT", role="core")
        other_city = City(slug="other-city", name="Other City", country="FI", role="core")
        track = Track(slug="green", name="Green", edition="2020-22")
        challenge = Challenge(slug="retrofit", name="Retrofit", track=track)
        db.session.add_all(
            [
                owner_city,
                other_city,
                track,
                challenge,
                TransversalService(slug="open-data", name="Open data"),
                SDG(number=7, name="Energy"),
            ]
        )
        users = {
            "owner": User(
                email="owner@x.example", display_name="O", role="publisher", city=owner_city
            ),
            "other": User(
                email="other@x.example", display_name="P", role="publisher", city=other_city
            ),
            "curator": User(email="curator@x.example", display_name="C", role="curator"),
            "admin": User(email="admin@x.example", display_name="A", role="admin"),
            "invited": User(email="new@x.example", display_name="N", role="curator"),
        }
        for name, user in users.items():
            if name != "invited":
                user.password_hash = "unused"  # sessions are set directly below
        db.session.add_all(users.values())
        now = datetime(2025, 1, 1, tzinfo=UTC)
        entries = {
            status: Solution(
                slug=status,
                kind="solution",
                title=f"The {status} entry",
                summary="s",
                description="d",
                city=owner_city,
                status=status,
                challenges=[challenge],
                contact_email="c@owner.example",
                published_at=now if status == Status.PUBLISHED else None,
            )
            for status in ("published", "draft", "submitted", "archived")
        }
        db.session.add_all(entries.values())
        entries["draft"].translations = [SolutionTranslation(language="de", title="Der Entwurf")]
        db.session.flush()
        db.session.add(
            SolutionRevision(
                solution_id=entries["published"].id, data={"title": "x"}, status="submitted"
            )
        )
        report = Report(
            solution=entries["published"], reason="outdated", text="Old", ip_hash="0" * 64
        )
        db.session.add(report)
        saved = SavedSearch(email="owner@x.example", user=users["owner"], query="track=green")
        visitors = SavedSearch(email="visitor@x.example", query="q=heat")
        db.session.add_all([saved, visitors])
        db.session.commit()
        ids = {
            "saved": saved.id,
            "alert-confirm": alerts.confirm_token(visitors),
            "alert-unsubscribe": alerts.unsubscribe_token(visitors),
            **{name: entry.id for name, entry in entries.items()},
            **{name: user.id for name, user in users.items()},
            "report": report.id,
        }
        tokens = {name: user.get_id() for name, user in users.items()}
        db.session.commit()
        search.rebuild()  # the search page and API answer 503 until one is built
    release(app)
    return data_dir, ids, tokens


def test_every_route_is_in_the_table(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATA_DIR": str(tmp_path), **WORDS_ONLY})
    routes = {rule.endpoint for rule in app.url_map.iter_rules()}
    covered = {endpoint for endpoint, *_ in CASES}
    assert routes - covered == set(), "new routes need a row in CASES"
    assert covered - routes == set(), "CASES names routes that no longer exist"


def _app_on_copy(catalogue_dir, tmp_path, copy_data):
    copied = copy_data(catalogue_dir[0], tmp_path / "data", "matrix")
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "matrix", "WTF_CSRF_ENABLED": False, **WORDS_ONLY, **copied}
    )
    return app, copied


@pytest.fixture(scope="module")
def reading_app(catalogue_dir, tmp_path_factory, copy_data):
    """One app for the cases that only read (GET, HEAD): they change nothing, so they share it;
    every other method gets a fresh copy of the catalogue."""
    app, _ = _app_on_copy(catalogue_dir, tmp_path_factory.mktemp("reading"), copy_data)
    yield app
    release(app)


def _client_as(app, role, tokens):
    client = app.test_client()
    if role != "anonymous":
        with client.session_transaction() as session:
            session["_user_id"] = tokens[role]
            session["_fresh"] = True
    return client


def _url(app, endpoint, args, ids):
    values = {
        key: ids.get(value, value) if isinstance(value, str) and key != "slug" else value
        for key, value in args.items()
    }
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("endpoint", "method", "args", "expected"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)],
)
def test_route_outcome(
    catalogue_dir,
    reading_app,
    tmp_path,
    copy_data,
    databases,
    endpoint,
    method,
    args,
    expected,
    role,
):
    _, ids, tokens = catalogue_dir
    reads = method in ("GET", "HEAD")
    app, copied = (reading_app, {}) if reads else _app_on_copy(catalogue_dir, tmp_path, copy_data)
    client = _client_as(app, role, tokens)
    with client.open(_url(app, endpoint, args, ids), method=method) as response:
        status, location = response.status_code, response.location or ""
    if not reads:
        release(app)
        databases.discard(copied)
    if expected[role] == LOGIN:
        outcome = LOGIN if status == 302 and location.startswith("/login") else status
    elif expected[role] == OK:
        outcome = (
            OK if status == 200 or (status == 302 and not location.startswith("/login")) else status
        )
    else:
        outcome = status
    assert outcome == expected[role], (endpoint, role, status, location)


GET_CASES = [(endpoint, args) for endpoint, method, args, _ in CASES if method == "GET"]


@pytest.mark.parametrize(
    ("endpoint", "args"), GET_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(GET_CASES)]
)
def test_head_answers_as_get_does(catalogue_dir, reading_app, endpoint, args):
    """HEAD runs the GET view (Flask), so a view must not take "not GET" to mean "a POST"."""
    _, ids, tokens = catalogue_dir
    app = reading_app
    url = _url(app, endpoint, args, ids)
    for role in ROLES:  # GET changes nothing, so every role can share one copy
        client = _client_as(app, role, tokens)
        with client.get(url) as got, client.head(url) as head:
            assert (head.status_code, head.location, head.content_type) == (
                got.status_code,
                got.location,
                got.content_type,
            ), (endpoint, role)
            assert head.data == b""


@pytest.mark.parametrize(
    ("endpoint", "method", "args"),
    [case[:3] for case in CASES],
    ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)],
)
def test_every_route_answers_with_the_security_headers(
    catalogue_dir, reading_app, endpoint, method, args
):
    """Pages, redirects, 400/403/404 answers and static files alike (security.py): GETs for
    every role; other methods as a visitor, whom they send to sign in or refuse unchanged."""
    _, ids, tokens = catalogue_dir
    url = _url(reading_app, endpoint, args, ids)
    roles = ROLES if method in ("GET", "HEAD") else ("anonymous",)
    for role in roles:
        with _client_as(reading_app, role, tokens).open(url, method=method) as response:
            assert missing_headers(response) == [], (endpoint, role, response.status_code)
