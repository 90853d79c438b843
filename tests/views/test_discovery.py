"""For crawlers and link previews: sitemap.xml (and its index), robots.txt, canonical addresses
and OpenGraph tags on the public pages."""

import re
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from page_reader import parse
from support import sign_in

from marketplace.extensions import db

BASE = "https://data.example/market"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MAIN = ["/", "/solutions", "/cities", "/tracks", "/about", "/api"]


@pytest.fixture
def site(app):
    app.config["BASE_URL"] = BASE
    return app.test_client()


def urlset(response) -> dict[str, str | None]:
    """A sitemap file's addresses (without the base URL) and their lastmod."""
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.data)  # noqa: S314 (the app under test wrote it)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    return {
        url.find("s:loc", NS).text.removeprefix(BASE): getattr(
            url.find("s:lastmod", NS), "text", None
        )
        for url in root.findall("s:url", NS)
    }


@pytest.fixture
def catalogue(make_solution, taxonomy, porto):
    taxonomy["challenges"]["congestion"].retired = True
    db.session.commit()
    return {
        "published": make_solution(
            slug="published",
            city=porto,
            content_updated_at=datetime(2024, 6, 1, tzinfo=UTC),
            published_at=datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC),
        ),
        "draft": make_solution(slug="draft", status="draft", city=porto),
        "submitted": make_solution(slug="submitted", status="submitted", city=porto),
        "archived": make_solution(slug="archived", status="archived", city=porto),
    }


def test_the_sitemap_lists_exactly_the_public_addresses(site, catalogue, porto):
    urls = urlset(site.get("/sitemap.xml"))

    other_city = catalogue["draft"].city  # every city has a public page, with or without entries
    assert other_city == porto
    assert set(urls) == {
        *MAIN,
        "/solutions/published",
        "/cities/porto",
        "/tracks/green",
        "/tracks/mobility",
        "/challenges/retrofit",
        "/challenges/smes",
        "/challenges/last-mile",  # not "congestion": retired
        "/services/open-data",
        "/sdgs/7",
        "/sdgs/11",
    }
    assert urls["/solutions/published"] == "2025-03-04T05:06:07Z"  # published after its last edit
    assert urls["/challenges/retrofit"] == "2024-06-01T00:00:00Z"  # its newest entry's edit
    assert urls["/tracks/green"] == "2024-06-01T00:00:00Z"
    assert urls["/challenges/smes"] is None  # no entry: no date to give
    assert all(ISO.match(value) for value in urls.values() if value is not None)
    assert ISO.match(urls["/cities/porto"])


def test_past_the_limit_the_sitemap_is_an_index_of_files(site, app, catalogue, make_solution):
    whole = urlset(site.get("/sitemap.xml"))
    app.config["SITEMAP_URLS"] = 5
    response = site.get("/sitemap.xml")

    root = ElementTree.fromstring(response.data)  # noqa: S314 (the app under test wrote it)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    files = [loc.text for loc in root.findall("s:sitemap/s:loc", NS)]
    assert files == [f"{BASE}/sitemap-{n}.xml" for n in range(1, 5)]  # 16 addresses, 5 a file
    parts = [urlset(site.get(f.removeprefix(BASE))) for f in files]
    assert [len(part) for part in parts] == [5, 5, 5, 1]
    assert {url: date for part in parts for url, date in part.items()} == whole
    assert site.get("/sitemap-5.xml").status_code == 404
    assert site.get("/sitemap-0.xml").status_code == 404


def test_a_single_sitemap_has_no_numbered_files(site, catalogue):
    assert site.get("/sitemap-1.xml").status_code == 404


def _robots_rules(text: str) -> tuple[list[re.Pattern], list[str]]:
    """The Disallow lines as Google reads them (``*`` any characters, ``$`` the end), and the
    Sitemap lines."""
    disallowed, sitemaps = [], []
    for line in text.splitlines():
        field, _, value = line.partition(":")
        value = value.strip()
        if field == "Disallow" and value:
            pattern = re.escape(value).replace(r"\*", ".*").replace(r"\$", "$")
            disallowed.append(re.compile(pattern))
        elif field == "Sitemap":
            sitemaps.append(value)
    return disallowed, sitemaps


def _blocked(rules: list[re.Pattern], path: str) -> bool:
    return any(rule.match(path) for rule in rules)


def test_robots_keeps_crawlers_out_of_private_areas_and_faceted_results(site, app):
    response = site.get("/robots.txt")
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert text.startswith("User-agent: *\n")
    rules, sitemaps = _robots_rules(text)

    assert sitemaps == [f"{BASE}/sitemap.xml"]
    for path in ["/my", "/my/entries/new", "/curate", "/curate/taxonomy", "/login", "/account"]:
        assert _blocked(rules, path), path
    for path in ["/solutions?track=green", "/solutions?q=bus&challenge=x", "/solutions?city=porto"]:
        assert _blocked(rules, path), path
    for path in ["/", "/solutions", "/solutions?q=bus", "/solutions?page=2", "/solutions/bus"]:
        assert not _blocked(rules, path), path
    for path in ["/cities/porto", "/tracks/green", "/sitemap.xml", "/api/v1/solutions"]:
        assert not _blocked(rules, path), path


def test_robots_covers_every_page_of_the_private_areas(app):
    rules, _ = _robots_rules(app.test_client().get("/robots.txt").get_data(as_text=True))
    private = {"publish", "curate", "manage", "account", "auth"}
    for rule in app.url_map.iter_rules():
        area = rule.endpoint.split(".")[0]
        if area in private or rule.endpoint.startswith("reports.curate"):
            path = re.sub(r"<[^>]+>", "x", rule.rule)
            assert _blocked(rules, path), rule.rule


def meta(page, name: str) -> str | None:
    found = page.find_all("meta", property=name) or page.find_all("meta", name=name)
    return found[0]["content"] if found else None


def canonical(page) -> str | None:
    found = page.find_all("link", rel="canonical")
    return found[0]["href"] if found else None


def test_every_page_in_the_sitemap_is_canonical_to_its_sitemap_address(demo_app):
    demo_app.config["BASE_URL"] = BASE
    client = demo_app.test_client()
    addresses = urlset(client.get("/sitemap.xml"))
    assert len(addresses) > 100

    for path in addresses:
        response = client.get(path)
        assert response.status_code == 200, path
        page = parse(response)
        assert canonical(page) == BASE + path, path
        assert meta(page, "og:url") == BASE + path, path
        assert meta(page, "og:title"), path
        assert meta(page, "og:description"), path
        assert meta(page, "og:type") in ("website", "article"), path
        assert meta(page, "og:site_name") == "Tech4Good Marketplace"
        assert meta(page, "og:locale") == "en_GB"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/solutions?q=bus&track=green&sort=newest&per_page=50&utm_source=x", "?q=bus&track=green"),
        ("/solutions?page=2&fbclid=abc", "?page=2"),
        ("/solutions?page=1", ""),
        ("/cities/porto?page=3&q=ignored", "?page=3"),
        ("/solutions/solar?version=pt&utm_campaign=y", ""),
        ("/solutions/solar?lang=fr", "?lang=fr"),
    ],
)
def test_the_canonical_address_keeps_only_what_makes_the_page(
    site, make_solution, porto, path, expected
):
    make_solution(slug="solar", city=porto)
    page = parse(site.get(path))
    assert canonical(page) == BASE + path.split("?")[0] + expected


def test_an_entry_preview_has_its_title_summary_and_image(site, make_solution):
    make_solution(
        slug="solar",
        title="Solar roofs",
        summary="Panels on schools.",
        image="0" * 32 + ".png",
        image_alt="A roof with panels",
    )
    page = parse(site.get("/solutions/solar"))
    assert meta(page, "og:type") == "article"
    assert meta(page, "og:title") == "Solar roofs"
    assert meta(page, "og:description") == "Panels on schools."
    assert meta(page, "og:image") == f"{BASE}/media/{'0' * 32}.png"
    assert meta(page, "og:image:alt") == "A roof with panels"


def test_the_preview_is_in_the_page_language(site):
    page = parse(site.get("/about?lang=de"))
    assert meta(page, "og:locale") == "de_DE"
    alternates = [m["content"] for m in page.find_all("meta", property="og:locale:alternate")]
    assert sorted(alternates) == ["en_GB", "es_ES", "fr_FR", "it_IT", "pt_PT"]


def test_an_unpublished_entry_is_not_indexed(site, make_solution, publisher):
    make_solution(slug="draft", status="draft", city=publisher.city)
    sign_in(site, publisher)
    page = parse(site.get("/solutions/draft"))
    assert meta(page, "robots") == "noindex, nofollow"
    assert page.find_all("meta", property="og:image") == []


def test_a_missing_page_names_no_canonical_address(site):
    page = parse(site.get("/no-such-page"))
    assert canonical(page) is None
