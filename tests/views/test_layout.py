"""What every page shares: language, title, one h1, skip link; error pages in the site design."""

import pytest
from page_reader import main, parse

PAGES = [
    "/",
    "/solutions",
    "/solutions?page=2",
    "/solutions/solar-roofs",
    "/cities",
    "/cities/porto",
    "/tracks",
    "/tracks/green",
    "/challenges/retrofit",
    "/services/open-data",
    "/sdgs/7",
    "/about",
]
ERROR_PAGES = ["/no-such-page", "/solutions/no-such-entry", "/cities/no-such-city"]


@pytest.fixture
def site(make_solution, make_city, taxonomy, build_index):
    """A small catalogue behind every URL of PAGES, and its search index."""
    make_solution(
        slug="solar-roofs",
        city=make_city(slug="porto", name="Porto"),
        services=[taxonomy["service"]],
        sdgs=taxonomy["sdgs"],
    )
    build_index()


@pytest.mark.parametrize("url", PAGES)
def test_public_page_is_shown(client, site, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES + ERROR_PAGES)
def test_page_is_in_english(client, site, url):
    assert parse(client.get(url)).find("html")["lang"] == "en"


@pytest.mark.parametrize("url", PAGES + ERROR_PAGES)
def test_page_has_a_title_naming_the_site(client, site, url):
    title = parse(client.get(url)).find("title").text

    assert title.endswith("Tech4Good Marketplace")


@pytest.mark.parametrize("url", PAGES + ERROR_PAGES)
def test_page_has_exactly_one_h1(client, site, url):
    h1s = parse(client.get(url)).find_all("h1")

    assert len(h1s) == 1
    assert h1s[0].text


@pytest.mark.parametrize("url", PAGES + ERROR_PAGES)
def test_page_has_a_skip_link_to_the_main_content(client, site, url):
    page = parse(client.get(url))

    skip = page.find("a", class_="skip-link")
    assert skip["href"] == "#main"
    assert page.find("main")["id"] == "main"


def test_markdown_headings_never_add_an_h1(client, make_solution):
    solution = make_solution(description="# Big heading\n\n<h1>Raw heading</h1>", impact="# More")

    assert len(parse(client.get(f"/solutions/{solution.slug}")).find_all("h1")) == 1


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/solutions", "Solutions"),
        ("/solutions/solar-roofs", "Solutions"),
        ("/cities/porto", "Cities"),
        ("/challenges/retrofit", "Tracks"),
        ("/about", "About"),
    ],
)
def test_main_navigation_marks_the_current_section(client, site, url, current):
    nav = parse(client.get(url)).find("nav", aria_label="Main")

    assert [link.text for link in nav.find_all("a", aria_current="page")] == [current]


def test_header_search_has_a_label_on_other_pages(client):
    header = parse(client.get("/about")).find("header", class_="site-header")

    query = header.find("input", name="q")
    assert header.find("label", for_=query["id"]).text


# The about page


def test_about_page_explains_the_icc(client):
    page = main(client.get("/about"))

    assert "Intelligent Cities Challenge" in page.text


def test_about_page_lists_the_tracks_and_services(client, taxonomy):
    page = main(client.get("/about"))

    assert page.find("a", href="/tracks/green").text == "Green economy"
    assert page.find("a", href="/tracks/mobility").text == "Mobility"
    assert "/services/open-data" in page.hrefs


# Error pages


@pytest.mark.parametrize("url", ERROR_PAGES)
def test_not_found_page_is_in_the_site_design(client, site, url):
    response = client.get(url)

    assert response.status_code == 404
    page = parse(response)
    assert page.find("h1").text == "Page not found"
    assert page.find("header", class_="site-header").find("a", class_="brand")["href"] == "/"
    assert {"/", "/solutions"} <= set(main(response).hrefs)


def test_not_found_page_shows_the_address_as_text(client):
    response = client.get("/<script>alert(1)</script>")

    assert response.status_code == 404
    assert parse(response).find_all("script") == []
    assert "<script>alert(1)</script>" in main(response).text


@pytest.mark.parametrize("url", ["/", "/solutions", "/solutions/solar-roofs", "/cities", "/about"])
def test_post_to_a_read_only_page_is_refused_with_the_error_page(client, site, url):
    response = client.post(url)

    assert response.status_code == 405
    page = parse(response)
    assert page.find("h1").text == "Method not allowed"
    assert page.find("header", class_="site-header")


def test_method_not_allowed_names_the_allowed_methods(client):
    response = client.post("/about")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.mimetype == "text/html"


# Query parameters that share a name with url_for's own arguments or the page's path


CLASHING_QUERIES = [
    ("/solutions", "endpoint=x"),
    ("/solutions", "_anchor=x"),
    ("/solutions", "_method=POST"),
    ("/solutions", "_scheme=x"),
    ("/solutions", "_external=1"),
    ("/tracks/green-economy", "slug=x"),
    ("/challenges/congestion", "slug=x"),
    ("/sdgs/11", "number=5"),
]


@pytest.mark.parametrize(("path", "query"), CLASHING_QUERIES)
def test_pager_links_keep_parameters_named_like_url_arguments(demo_client, path, query):
    response = demo_client.get(f"{path}?{query}")

    assert response.status_code == 200
    links = parse(response).find("nav", class_="pager").find_all("a")
    assert links
    for link in links:
        href_path, _, href_query = link["href"].partition("?")
        assert href_path == path
        assert query in href_query.split("&")


@pytest.mark.parametrize(
    "query", ["endpoint=x", "_anchor=x", "_method=POST", "_scheme=x", "_external=1"]
)
def test_filter_chips_keep_parameters_named_like_url_arguments(demo_client, query):
    response = demo_client.get(f"/solutions?{query}&country=PT&page=2")

    assert response.status_code == 200
    chip = parse(response).find("a", class_="chip")
    assert chip["href"] == f"/solutions?{query}"
