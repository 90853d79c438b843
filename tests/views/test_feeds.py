"""Atom feeds of searches, as a feed reader (feedparser) reads them."""

from datetime import UTC, datetime

import feedparser
import pytest

from marketplace import search
from marketplace.vocab import Status


@pytest.fixture
def catalogue(make_solution, make_city, taxonomy):
    porto = make_city(slug="porto", name="Porto", country="PT")
    sofia = make_city(slug="sofia", name="Sofia", country="BG")
    ch = taxonomy["challenges"]
    make_solution(
        slug="signals",
        title="Adaptive traffic signals against congestion",
        city=porto,
        challenges=[ch["congestion"]],
        published_at=datetime(2025, 3, 1, tzinfo=UTC),
    )
    make_solution(
        slug="zone",
        title='Low-emission zone </script> "cameras" & congestion',
        city=sofia,
        challenges=[ch["congestion"]],
        published_at=datetime(2025, 5, 1, tzinfo=UTC),
    )
    make_solution(
        slug="retrofit",
        title="School retrofit against congestion of heat",
        city=porto,
        published_at=datetime(2025, 4, 1, tzinfo=UTC),
    )
    make_solution(slug="hidden", title="Draft about congestion", status=Status.DRAFT)
    make_solution(slug="old", title="Archived congestion plan", status=Status.ARCHIVED)
    search.rebuild()


def _feed(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def _slugs(feed):
    return [entry.link.rsplit("/", 1)[-1] for entry in feed.entries]


def test_a_search_feed_lists_its_published_entries_newest_first(client, catalogue):
    feed = _feed(client, "/solutions.atom?q=congestion")

    assert _slugs(feed) == ["zone", "retrofit", "signals"]
    zone = feed.entries[0]
    assert zone.title == 'Low-emission zone </script> "cameras" & congestion'
    assert zone.author == "Sofia"
    assert zone.id.startswith("tag:")
    assert zone.published.startswith("2025-05-01")
    assert zone.summary
    assert {tag.term for tag in zone.tags} == {"mobility", "congestion"}
    assert "congestion" in feed.feed.title
    assert any(link.rel == "self" for link in feed.feed.links)


def test_no_unpublished_or_archived_entry_ever(client, catalogue):
    slugs = _slugs(_feed(client, "/solutions.atom"))
    assert sorted(slugs) == ["retrofit", "signals", "zone"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("city=porto", ["retrofit", "signals"]),
        ("challenge=congestion", ["zone", "signals"]),
        ("track=mobility&city=sofia", ["zone"]),
        ("q=signals", ["signals"]),
    ],
)
def test_facets_are_those_of_the_search_page(client, catalogue, query, expected):
    assert _slugs(_feed(client, f"/solutions.atom?{query}")) == expected


def test_the_title_names_the_search_in_the_request_language(client, catalogue):
    feed = _feed(client, "/solutions.atom?city=porto&lang=fr")
    assert feed.feed.language == "fr"
    assert "Porto" in feed.feed.title


@pytest.mark.parametrize(
    "query",
    [
        "q=%00%0b%ef%bf%bf",
        "q=NOT+OR+x",
        "page=-1&per_page=100000&sort=bogus",
        "track=" + "x" * 500,
        "q=created:[x+TO]",
        "city=%ff%fe",
    ],
)
def test_hostile_parameters_give_a_valid_feed(client, catalogue, query):
    _feed(client, f"/solutions.atom?{query}")


def test_an_unchanged_feed_answers_304_and_is_open_to_any_origin(client, catalogue):
    first = client.get("/solutions.atom?q=congestion", headers={"Origin": "https://x.example"})
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert first.headers["Last-Modified"]
    again = client.get(
        "/solutions.atom?q=congestion", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_pages_link_their_feeds(client, catalogue):
    for url, feed in [
        ("/solutions?q=congestion", "/solutions.atom?q=congestion&amp;lang=en"),
        ("/cities/porto", "/solutions.atom?city=porto&amp;lang=en"),
        ("/tracks/mobility", "/solutions.atom?track=mobility&amp;lang=en"),
    ]:
        page = client.get(url).get_data(as_text=True)
        assert '<link rel="alternate" type="application/atom+xml"' in page
        assert page.count(f'href="{feed}"') == 2, url


def test_without_an_index_the_feed_answers_503(client, make_solution):
    make_solution()
    assert client.get("/solutions.atom").status_code == 503
