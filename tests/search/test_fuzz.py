"""Any input is safe: the search page and the API answer every query string without an error."""

import pytest
from databases import release
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace import create_app, search
from marketplace.extensions import db
from marketplace.models import Challenge, City, Solution, Track
from marketplace.search import SearchRequest
from marketplace.search.query import MAX_CHARS, clean, parse, to_query
from marketplace.vocab import Status

NASTY = [
    '"unbalanced',
    "((( ))",
    "*",
    "?",
    "title:x",
    "created:[x TO]",
    "NOT OR x",
    "AND OR NOT",
    "a" * 10_000,
    "\x00\x07\x1b[31m",
    "😀🏙️",
    "-",
    '-"',
    '""',
    "\\",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "congestion^5",
    "traffic~2",
    "{1 TO 5}",
]
FIELDS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, databases):
    data_dir = tmp_path_factory.mktemp("fuzz")
    settings = {"TESTING": True, "SECRET_KEY": "x", "DATA_DIR": str(data_dir)}
    app = create_app({**settings, **databases.template("fuzz")})
    with app.app_context():
        db.create_all()
        track = Track(slug="t", name="Track", edition="2020-22")
        challenge = Challenge(slug="c", name="Challenge", track=track)
        city = City(slug="porto", name="Porto", country="PT", role="mentor")
        db.session.add(
            Solution(
                slug="s",
                kind="solution",
                title="Traffic congestion in the old town",
                summary="Signals and buses.",
                city=city,
                challenges=[challenge],
                status=Status.PUBLISHED,
            )
        )
        db.session.commit()
        search.rebuild()
    yield app
    release(app)


@pytest.mark.parametrize("text", NASTY)
def test_nasty_queries_give_a_results_page(fuzz_app, text):
    response = fuzz_app.test_client().get("/solutions", query_string={"q": text})
    assert response.status_code == 200
    assert b"entries" in response.data or b"entry" in response.data


@FIELDS
@given(st.text(max_size=300))
def test_any_text_parses_into_a_query(text):
    parsed = parse(text)
    to_query(parsed)
    assert len(clean(text)) <= MAX_CHARS


@FIELDS
@given(st.text(max_size=200), st.sampled_from(["relevance", "newest", "title"]))
def test_any_text_searches_without_error(fuzz_app, text, sort):
    with fuzz_app.app_context():
        outcome = search.run(SearchRequest(text=text, sort=sort))
    assert outcome.total >= 0


@FIELDS
@given(
    st.dictionaries(
        st.sampled_from(["q", "page", "per_page", "sort", "track", "city", "sdg", "cost", "x"]),
        st.text(max_size=40),
        max_size=5,
    )
)
def test_any_parameters_give_a_page_or_a_clear_400(fuzz_app, params):
    client = fuzz_app.test_client()
    assert client.get("/solutions", query_string=params).status_code == 200
    api = client.get("/api/v1/solutions", query_string=params)
    assert api.status_code in (200, 400)
    assert api.is_json
    if api.status_code == 400:
        assert api.get_json()["message"]
