"""The read API under /api/v1/: whole published records, only published data, pages, languages,
absolute addresses, CORS and conditional requests."""

import re
from datetime import UTC, datetime

import jsonschema
import pytest

from marketplace.extensions import db
from marketplace.models import Adoption, SolutionTranslation
from marketplace.models.redirect import SlugRedirect
from marketplace.views import api_spec

BASE = "https://data.example/market"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def api(app):
    app.config["BASE_URL"] = BASE
    return app.test_client()


def _valid(data, schema_name):
    """``data`` matches the OpenAPI document's schema ``schema_name``."""
    document = api_spec.document(BASE)
    schema = {
        **document["components"]["schemas"][schema_name],
        "components": document["components"],
    }
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


@pytest.fixture
def entry(make_solution, make_city, taxonomy):
    green = taxonomy["tracks"][0]
    green.labels = {"fr": "Économie verte"}
    taxonomy["challenges"]["retrofit"].labels = {"fr": "Rénovation des bâtiments"}
    adopter = make_city(slug="braga", name="Braga")
    solution = make_solution(
        slug="solar-roofs",
        title="Solar roofs",
        language="en",
        description="A **bold** plan.",
        impact="Less *CO2*.",
        lessons="",
        licence="EUPL-1.2",
        website="https://solar.example",
        contact_name="Ana",
        contact_email="ana@city.example",
        services=[taxonomy["service"]],
        sdgs=[taxonomy["sdgs"][0]],
        content_updated_at=datetime(2025, 2, 3, 4, 5, 6, 789, tzinfo=UTC),
    )
    solution.translations = [
        SolutionTranslation(language="pt", title="Telhados solares", description="Um **plano**.")
    ]
    solution.adoptions = [Adoption(city=adopter, note="Used on schools.")]
    db.session.commit()
    return solution


def test_a_solution_record_holds_every_published_field(api, entry):
    response = api.get("/api/v1/solutions/solar-roofs")

    assert response.status_code == 200
    data = response.get_json()
    _valid(data, "Solution")
    assert data["slug"] == "solar-roofs"
    assert data["title"] == "Solar roofs"
    assert data["language"] == "en"
    assert data["description"] == "A **bold** plan."
    assert "<strong>bold</strong>" in data["description_html"]
    assert "<em>CO2</em>" in data["impact_html"]
    assert data["licence"] == "EUPL-1.2"
    assert data["website"] == "https://solar.example"
    assert data["contact"] == {"name": "Ana", "email": "ana@city.example"}
    [translation] = data["translations"]
    assert translation["language"] == "pt"
    assert translation["title"] == "Telhados solares"
    assert "<strong>plano</strong>" in translation["description_html"]
    assert data["city"]["name"] == entry.city.name
    [used] = data["used_by"]
    assert (used["city"]["slug"], used["note"]) == ("braga", "Used on schools.")
    assert [t["slug"] for t in data["tracks"]] == ["green"]
    assert [c["slug"] for c in data["challenges"]] == ["retrofit"]
    assert [s["slug"] for s in data["services"]] == ["open-data"]
    assert [s["number"] for s in data["sdgs"]] == [7]
    assert data["updated_at"] == "2025-02-03T04:05:06Z"
    assert data["published_at"] == "2025-01-01T00:00:00Z"
    for value in (data["created_at"], used["since"]):
        assert ISO.match(value)


def test_every_address_in_a_record_is_absolute_on_the_base_url(api, entry):
    data = api.get("/api/v1/solutions/solar-roofs").get_json()

    assert data["url"] == f"{BASE}/solutions/solar-roofs"
    assert data["api_url"] == f"{BASE}/api/v1/solutions/solar-roofs"
    assert data["city"]["api_url"] == f"{BASE}/api/v1/cities/{entry.city.slug}"
    assert data["tracks"][0]["url"] == f"{BASE}/tracks/green"
    assert data["sdgs"][0]["url"] == f"{BASE}/sdgs/7"


def test_a_hidden_contact_stays_hidden(api, entry):
    entry.contact_public = False
    db.session.commit()

    assert api.get("/api/v1/solutions/solar-roofs").get_json()["contact"] is None


def test_taxonomy_labels_follow_lang_then_accept_language(api, entry):
    def first_track(**kwargs):
        return api.get("/api/v1/solutions/solar-roofs", **kwargs).get_json()["tracks"][0]

    assert first_track()["label"] == "Green economy"
    assert first_track(query_string={"lang": "fr"})["label"] == "Économie verte"
    assert first_track(headers={"Accept-Language": "fr"})["label"] == "Économie verte"
    # A label nobody wrote falls back to the English name; ``name`` is always the English one.
    assert first_track(query_string={"lang": "de"})["label"] == "Green economy"
    assert first_track(query_string={"lang": "fr"})["name"] == "Green economy"
    tracks = api.get("/api/v1/tracks?lang=fr").get_json()["results"]
    assert tracks[0]["label"] == "Économie verte"
    assert tracks[0]["challenges"][0]["label"] == "Rénovation des bâtiments"


@pytest.mark.parametrize("status", ["draft", "submitted", "archived", "changes_requested"])
def test_an_unpublished_entry_is_a_json_404(api, make_solution, status):
    make_solution(slug="hidden", status=status)

    response = api.get("/api/v1/solutions/hidden")

    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json()["status"] == 404
    assert "hidden" not in response.get_data(as_text=True)


def test_a_city_shows_only_its_published_entries(api, make_solution, make_city):
    city = make_city(slug="porto", name="Porto")
    other = make_city(slug="lyon", name="Lyon")
    make_solution(slug="public-one", city=city)
    for status in ("draft", "submitted", "archived"):
        make_solution(slug=f"{status}-one", city=city, status=status)
    adopted = make_solution(slug="adopted-one", city=other)
    hidden = make_solution(slug="hidden-adopted", city=other, status="archived")
    db.session.add_all(
        [Adoption(solution=adopted, city=city), Adoption(solution=hidden, city=city)]
    )
    db.session.commit()

    data = api.get("/api/v1/cities/porto").get_json()

    _valid(data, "City")
    assert [s["slug"] for s in data["solutions"]] == ["public-one"]
    assert [s["slug"] for s in data["adopted"]] == ["adopted-one"]
    listed = {c["slug"]: c for c in api.get("/api/v1/cities").get_json()["results"]}
    assert listed["porto"]["published_solutions"] == 1


def test_unpublished_entries_count_nowhere(api, make_solution, taxonomy):
    make_solution(slug="public-one")
    make_solution(slug="draft-one", status="draft")

    tracks = api.get("/api/v1/tracks").get_json()["results"]
    challenges = api.get("/api/v1/challenges").get_json()["results"]

    assert tracks[0]["published_solutions"] == 1
    assert {c["slug"]: c["published_solutions"] for c in challenges}["retrofit"] == 1
    for name in ("services", "sdgs"):
        assert all(
            item["published_solutions"] == 0 for item in api.get(f"/api/v1/{name}").json["results"]
        )


def test_an_unknown_city_is_a_json_404(api, ctx):
    response = api.get("/api/v1/cities/nowhere")

    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_a_renamed_entry_moves_to_its_new_api_address(api, entry):
    db.session.add(SlugRedirect(kind="solution", old_slug="old-roofs", target_id=entry.id))
    db.session.commit()

    response = api.get("/api/v1/solutions/old-roofs")

    assert response.status_code == 301
    assert response.location.endswith("/api/v1/solutions/solar-roofs")


@pytest.mark.parametrize("name", ["cities", "tracks", "challenges", "services", "sdgs"])
def test_lists_match_the_description(api, taxonomy, make_city, name):
    make_city()
    data = api.get(f"/api/v1/{name}").get_json()

    schema = {"cities": "CitySummary", "sdgs": "Sdg"}.get(name, name[:-1].title())
    _valid(data, f"{schema}List")
    assert data["total"] == len(data["results"]) > 0


def test_lists_come_in_pages_with_links(api, taxonomy):
    data = api.get("/api/v1/challenges?per_page=3").get_json()

    assert (data["total"], data["page"], data["per_page"]) == (4, 1, 3)
    assert len(data["results"]) == 3
    assert data["links"]["prev"] is None
    assert data["links"]["next"] == f"{BASE}/api/v1/challenges?page=2&per_page=3"
    second = api.get(data["links"]["next"].removeprefix(BASE)).get_json()
    assert [c["slug"] for c in second["results"]] == ["congestion"]
    assert second["links"]["next"] is None
    assert second["links"]["prev"] == f"{BASE}/api/v1/challenges?page=1&per_page=3"
    beyond = api.get("/api/v1/challenges?per_page=3&page=9").get_json()
    assert beyond["results"] == []
    assert beyond["links"]["prev"] == f"{BASE}/api/v1/challenges?page=2&per_page=3"


def test_links_keep_the_other_parameters(api, taxonomy):
    data = api.get("/api/v1/challenges?per_page=1&lang=fr").get_json()

    assert data["links"]["next"] == f"{BASE}/api/v1/challenges?lang=fr&page=2&per_page=1"


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "page=",
        "page=1.5",
        "page=%EF%BC%91",  # a full-width digit
        "page=10001",
        "per_page=0",
        "per_page=101",
        "per_page=+5",
        "lang=xx",
        "lang=",
    ],
)
@pytest.mark.parametrize(
    "path", ["cities", "tracks", "challenges", "services", "sdgs", "solutions"]
)
def test_bad_parameters_are_a_json_400(api, build_index, path, query):
    build_index()

    response = api.get(f"/api/v1/{path}?{query}")

    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert response.get_json()["status"] == 400
    assert response.get_json()["error"]


def test_the_search_links_its_pages_and_records(api, make_solution, build_index):
    for n in range(3):
        make_solution(slug=f"entry-{n}")
    make_solution(slug="draft-entry", status="draft")
    build_index()

    data = api.get("/api/v1/solutions?per_page=2").get_json()

    _valid(data, "SearchPage")
    assert data["total"] == 3
    assert data["links"]["next"] == f"{BASE}/api/v1/solutions?page=2&per_page=2"
    assert data["results"][0]["api_url"].startswith(f"{BASE}/api/v1/solutions/entry-")


# --- CORS ------------------------------------------------------------------------------------


def test_any_origin_may_read_the_api_without_credentials(api, taxonomy):
    response = api.get("/api/v1/tracks", headers={"Origin": "https://elsewhere.example"})

    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


def test_a_preflight_allows_reading_only(api, ctx):
    response = api.options(
        "/api/v1/solutions/x",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]


def test_errors_of_the_api_are_readable_cross_origin_too(api, ctx):
    response = api.get("/api/v1/solutions/missing")

    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/tracks"), ("GET", "/api"), ("POST", "/api/v1/tracks")]
)
def test_cors_is_for_reading_the_api_only(api, ctx, method, path):
    response = api.open(path, method=method)

    assert "Access-Control-Allow-Origin" not in response.headers


# --- Conditional requests ----------------------------------------------------------------------


def test_an_unchanged_record_answers_304_to_its_etag(api, entry):
    first = api.get("/api/v1/solutions/solar-roofs")
    etag = first.headers["ETag"]

    again = api.get("/api/v1/solutions/solar-roofs", headers={"If-None-Match": etag})

    assert etag.startswith('W/"')
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Access-Control-Allow-Origin"] == "*"


def test_an_unchanged_record_answers_304_to_its_date(api, entry):
    first = api.get("/api/v1/solutions/solar-roofs")

    again = api.get(
        "/api/v1/solutions/solar-roofs",
        headers={"If-Modified-Since": first.headers["Last-Modified"]},
    )

    assert again.status_code == 304
    assert "no-cache" in first.headers["Cache-Control"]


def test_a_change_gives_a_new_etag_and_a_full_answer(api, entry):
    etag = api.get("/api/v1/solutions/solar-roofs").headers["ETag"]
    entry.title = "Solar roofs for schools"
    db.session.commit()

    again = api.get("/api/v1/solutions/solar-roofs", headers={"If-None-Match": etag})

    assert again.status_code == 200
    assert again.headers["ETag"] != etag
    assert again.get_json()["title"] == "Solar roofs for schools"


def test_the_etag_holds_when_the_answer_is_compressed(api, taxonomy):
    plain = api.get("/api/v1/tracks")
    compressed = api.get("/api/v1/tracks", headers={"Accept-Encoding": "gzip"})

    assert compressed.headers["Content-Encoding"] == "gzip"  # JSON is compressed for everyone
    assert compressed.headers["ETag"] == plain.headers["ETag"]
    again = api.get(
        "/api/v1/tracks",
        headers={"Accept-Encoding": "gzip", "If-None-Match": compressed.headers["ETag"]},
    )
    assert again.status_code == 304


def test_labels_in_another_language_are_another_answer(api, entry):
    english = api.get("/api/v1/tracks")
    french = api.get("/api/v1/tracks", headers={"Accept-Language": "fr"})

    assert english.headers["ETag"] != french.headers["ETag"]
    assert "Accept-Language" in english.headers["Vary"]


# --- The description and the guide --------------------------------------------------------------


def test_the_guide_lists_every_endpoint_with_an_example(api, ctx):
    response = api.get("/api")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for example in api_spec.examples():
        assert f"GET {example['path']}".replace("<", "&lt;").replace(">", "&gt;") in page
    assert page.count("curl ") == len(api_spec.examples())
    assert 'href="/api/v1/openapi.json"' in page


def test_the_guide_is_translated(api, ctx):
    page = api.get("/api?lang=fr").get_data(as_text=True)

    assert "API de données ouvertes" in page
    assert "Exemple de requête" in page


def test_the_description_points_at_the_base_url(api, ctx):
    document = api.get("/api/v1/openapi.json").get_json()

    assert document["servers"] == [{"url": BASE}]
    assert set(document["paths"]) == {
        "/api/v1/" + path
        for path in (
            "solutions",
            "solutions/{slug}",
            "cities",
            "cities/{slug}",
            "tracks",
            "challenges",
            "services",
            "sdgs",
        )
    }


def test_a_draft_changing_does_not_show_in_the_api(api, entry, make_solution):
    draft = make_solution(slug="quiet-draft", status="draft")
    first = api.get("/api/v1/tracks")
    draft.title = "Still a draft"
    db.session.commit()

    again = api.get("/api/v1/tracks", headers={"If-Modified-Since": first.headers["Last-Modified"]})

    assert again.status_code == 304
    assert api.get("/api/v1/tracks").headers["Last-Modified"] == first.headers["Last-Modified"]


def test_head_answers_with_the_same_validators(api, entry):
    got = api.get("/api/v1/solutions/solar-roofs")
    head = api.head("/api/v1/solutions/solar-roofs")

    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == got.headers["ETag"]
    assert head.headers["Access-Control-Allow-Origin"] == "*"


def test_the_guide_points_at_the_dump_the_dcat_catalogue_and_the_feeds(api, ctx):
    page = api.get("/api").get_data(as_text=True)

    for href in ("/data/", "/catalog.ttl", "/catalog.jsonld", "/solutions.atom"):
        assert f'href="{href}"' in page
