"""The catalogue search page and its JSON twin, as a city officer and a script use them."""

import re

import pytest
from page_reader import parse

from marketplace import search
from marketplace.search.schema import FACETS
from marketplace.vocab import Status


@pytest.fixture
def catalogue(make_solution, make_city, taxonomy):
    porto = make_city(slug="porto", name="Porto", country="PT")
    sofia = make_city(slug="sofia", name="Sofia", country="BG")
    ch = taxonomy["challenges"]
    make_solution(
        slug="signals",
        title="Adaptive traffic signals against congestion",
        summary="Signals cut queues in the old town.",
        city=porto,
        challenges=[ch["congestion"]],
    )
    make_solution(
        slug="zone",
        title="Low-emission zone with cameras",
        summary="Fewer old diesel vans, less congestion downtown.",
        city=sofia,
        challenges=[ch["congestion"], ch["last-mile"]],
        kind="best_practice",
    )
    make_solution(
        slug="retrofit",
        title="School retrofit programme",
        summary="Insulation and heat pumps in 40 schools.",
        city=porto,
    )
    make_solution(slug="hidden", title="Draft about congestion", status=Status.DRAFT)
    search.rebuild()


def text(response):
    return " ".join(response.get_data(as_text=True).split())


def words(response):
    """What a reader sees: the page without its tags."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_a_question_lists_matching_entries_with_marked_snippets(client, catalogue):
    response = client.get("/solutions?q=congestion+in+the+old+town")
    assert "2 entries for “congestion in the old town”" in words(response)
    page = text(response)
    assert "Adaptive traffic signals against congestion" in page
    assert "<mark>congestion</mark>" in page
    assert "Draft about congestion" not in page
    assert "School retrofit programme" not in page


def test_ticking_a_facet_narrows_and_shows_a_removable_chip(client, catalogue):
    response = client.get("/solutions?q=congestion&country=BG")
    assert "1 entry for “congestion”" in words(response)
    page = text(response)
    assert "Low-emission zone with cameras" in page
    assert "Country: Bulgaria" in page
    assert 'href="/solutions?q=congestion"' in page  # the chip's link drops only that filter
    assert 'name="country" value="BG" checked' in page


def test_facet_counts_are_shown_next_to_each_value(client, catalogue):
    page = text(client.get("/solutions?q=congestion"))
    assert 'Portugal <span class="count">(1)</span>' in page
    assert 'Bulgaria <span class="count">(1)</span>' in page


def test_no_results_with_filters_suggests_removing_them(client, catalogue):
    page = text(client.get("/solutions?q=retrofit&country=BG"))
    assert "No published entry matches" in page
    assert "Try removing a filter" in page


def test_a_misspelling_offers_the_corrected_search(client, catalogue):
    page = text(client.get("/solutions?q=congestoin+signals"))  # "signals" finds one
    assert "Did you mean" in page
    assert 'href="/solutions?q=congestion+signals"' in page


def test_sort_by_title_orders_results(client, catalogue):
    page = text(client.get("/solutions?sort=title"))
    first, second, third = (
        page.index("Adaptive traffic"),
        page.index("Low-emission zone"),
        page.index("School retrofit"),
    )
    assert first < second < third


def test_the_page_works_without_javascript(client, catalogue):
    page = client.get("/solutions").get_data(as_text=True)
    assert '<form class="search-page" method="get"' in page
    assert "Apply filters" in page
    assert '<button type="submit" class="secondary small">Sort</button>' in page


def test_api_returns_results_facets_and_suggestion(client, catalogue):
    data = client.get("/api/v1/solutions?q=congestion&per_page=1").get_json()
    assert data["total"] == 2
    assert data["page"] == 1
    assert data["per_page"] == 1
    assert len(data["results"]) == 1
    result = data["results"][0]
    assert set(result) == {
        "slug", "title", "summary", "city", "kind", "maturity", "tracks", "challenges", "url",
        "score", "highlight", "why", "language", "original_language", "api_url",
    }  # fmt: skip
    assert result["url"].endswith(f"/solutions/{result['slug']}")
    assert set(data["facets"]) == {
        "track", "challenge", "service", "country", "city", "kind", "maturity", "sdg", "cost",
        "language",
    }  # fmt: skip
    countries = {v["value"]: v for v in data["facets"]["country"]}
    assert countries["PT"] == {"value": "PT", "label": "Portugal", "count": 1, "selected": False}
    assert data["suggestion"] is None


def test_api_repeated_parameters_are_or(client, catalogue):
    data = client.get("/api/v1/solutions?city=porto&city=sofia").get_json()
    assert data["total"] == 3
    assert client.get("/api/v1/solutions?city=nowhere").get_json()["total"] == 0


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=-1", "page=abc", "per_page=101", "per_page=0", "sort=best"],
)
def test_api_refuses_bad_parameters_with_a_json_400(client, catalogue, query):
    response = client.get(f"/api/v1/solutions?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_parameter"
    assert response.get_json()["message"]


def test_title_suggestions(client, catalogue):
    data = client.get("/search/suggest?q=adaptive+traf").get_json()
    assert data == [
        {"title": "Adaptive traffic signals against congestion", "url": "/solutions/signals"}
    ]
    assert client.get("/search/suggest?q=").get_json() == []


def test_a_misspelling_link_keeps_parameters_named_like_url_arguments(client, catalogue):
    page = text(client.get("/solutions?q=congestoin&endpoint=x&_external=1&exact=1"))
    assert 'href="/solutions?q=congestion&amp;endpoint=x&amp;_external=1"' in page


@pytest.mark.parametrize(
    ("query", "applied"),
    [
        ("sort=relevance", "newest"),
        ("q=&sort=relevance", "newest"),
        ("q=-congestion&sort=relevance", "newest"),  # only an exclusion: nothing to rank by
        ("q=-congestion", "newest"),
        ("q=congestion&sort=relevance", "relevance"),
        ("q=congestion", "relevance"),
        ("q=congestion&sort=title", "title"),
        ("sort=title", "title"),
    ],
)
def test_the_sort_menu_shows_the_sort_applied(client, catalogue, query, applied):
    page = client.get(f"/solutions?{query}").get_data(as_text=True)
    selected = re.findall(r'<option value="(\w+)" selected>', page)
    assert selected == [applied]


def test_without_an_index_the_page_says_search_is_being_prepared(client, make_solution, caplog):
    make_solution(title="Adaptive traffic signals")
    response = client.get("/solutions?q=traffic")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "Search is being prepared" in words(response)
    assert 'role="status"' in text(response)
    assert "no search index" in caplog.text
    assert search.index_stats() is None  # never built inside a request


def test_without_an_index_the_api_answers_a_json_503(client, ctx):
    response = client.get("/api/v1/solutions?q=traffic")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["error"] == "search_unavailable"


def test_every_facet_of_the_schema_has_a_title_and_labelled_values(demo_client):
    page = parse(demo_client.get("/solutions"))
    shown = {}
    for fieldset in page.find_all("fieldset", class_="facet"):
        inputs = fieldset.find_all("input", type="checkbox")
        (name,) = {box["name"] for box in inputs}
        labels = {label["for"]: label.text for label in fieldset.find_all("label")}
        values = {box["value"]: re.sub(r"\s*\([\d,]+\)$", "", labels[box["id"]]) for box in inputs}
        shown[name] = (fieldset.find("legend").text, values)
    assert set(shown) == set(FACETS)  # the demo catalogue has values in every facet
    for name, (title, values) in shown.items():
        assert title.strip(), name
        assert title != name
        for value, label in values.items():  # a person's word, never the slug or code
            assert label.strip(), (name, value)
            assert label != value, name


def test_a_search_finding_nothing_shows_its_correction_and_a_way_back(client, catalogue):
    page = client.get("/solutions?q=congestoin")
    assert "Showing results for congestion (search instead for congestoin )" in words(page)
    assert "Adaptive traffic signals against congestion" in text(page)
    html = page.get_data(as_text=True)
    assert 'href="/solutions?q=congestoin&amp;exact=1"' in html
    exact = client.get("/solutions?q=congestoin&exact=1")
    assert "Showing results for" not in text(exact)
    assert "Did you mean congestion ?" in words(exact)
    assert "Adaptive traffic signals" not in text(exact)


def test_api_says_when_it_searched_the_correction(client, catalogue):
    data = client.get("/api/v1/solutions?q=congestoin").get_json()
    assert (data["corrected_from"], data["corrected"], data["total"]) == (
        "congestoin",
        "congestion",
        2,
    )
    data = client.get("/api/v1/solutions?q=congestoin&exact=1").get_json()
    assert (data["corrected_from"], data["total"], data["suggestion"]) == (None, 0, "congestion")


def test_result_cards_link_their_entry_city_and_tracks_and_name_kind_and_maturity(
    client, catalogue
):
    page = text(client.get("/solutions?q=congestion"))
    assert '<a href="/solutions/zone">Low-emission zone with cameras</a>' in page
    assert '<a href="/cities/sofia">Sofia</a>' in page
    assert 'href="/tracks/' in page
    assert '<span class="badge badge-kind">Best practice</span>' in page
    assert '<span class="badge badge-maturity">Pilot</span>' in page
    french = text(client.get("/solutions?q=congestion&lang=fr"))
    assert '<span class="badge badge-kind">Bonne pratique</span>' in french
    # Mounted under a path prefix, the links keep it.
    mounted = text(client.get("/solutions?q=congestion", base_url="http://localhost/market"))
    assert '<a href="/market/solutions/zone">' in mounted
    assert '<a href="/market/cities/sofia">' in mounted
