"""The seeded demo catalogue as the public sees it."""

from collections import defaultdict

import pytest
from page_reader import main, parse
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.vocab import Status

NOT_PUBLISHED = [status for status in Status if status != Status.PUBLISHED]


@pytest.fixture
def demo_slugs(demo_app) -> dict[str, list[str]]:
    """Slugs of the demo entries, by status."""
    with demo_app.app_context():
        rows = db.session.execute(select(Solution.status, Solution.slug).order_by(Solution.slug))
        slugs = defaultdict(list)
        for status, slug in rows:
            slugs[status].append(slug)
    return slugs


def listed_entry_slugs(client) -> list[str]:
    """Slugs of every entry card on every page of the catalogue, following the "Next" links."""
    slugs, url = [], "/solutions"
    while url:
        page = main(client.get(url))
        slugs += [
            card.find("a")["href"].removeprefix("/solutions/")
            for card in page.find_all(class_="card-title")
        ]
        next_links = page.find_all("a", rel="next")
        url = next_links[0]["href"] if next_links else None
    return slugs


def test_every_published_demo_entry_has_a_page(demo_client, demo_slugs):
    assert demo_slugs[Status.PUBLISHED]
    failures = {
        slug: status
        for slug in demo_slugs[Status.PUBLISHED]
        if (status := demo_client.get(f"/solutions/{slug}").status_code) != 200
    }

    assert failures == {}


@pytest.mark.parametrize("status", NOT_PUBLISHED)
def test_unpublished_demo_entries_are_not_found_for_the_public(demo_client, demo_slugs, status):
    assert demo_slugs[status], f"the demo catalogue has no {status} entry to check"
    shown = [
        slug
        for slug in demo_slugs[status]
        if demo_client.get(f"/solutions/{slug}").status_code != 404
    ]

    assert shown == []


def test_published_demo_entries_show_the_sample_data_badge(demo_client, demo_slugs):
    unmarked = [
        slug
        for slug in demo_slugs[Status.PUBLISHED]
        if not main(demo_client.get(f"/solutions/{slug}")).find_all(class_="badge-sample")
    ]

    assert unmarked == []


def test_catalogue_lists_every_published_demo_entry_once(demo_client, demo_slugs):
    assert sorted(listed_entry_slugs(demo_client)) == demo_slugs[Status.PUBLISHED]


def test_demo_home_page_shows_only_published_entries(demo_client, demo_slugs):
    hrefs = parse(demo_client.get("/")).hrefs

    for status in NOT_PUBLISHED:
        for slug in demo_slugs[status]:
            assert f"/solutions/{slug}" not in hrefs


def test_demo_city_pages_are_shown(demo_client):
    cities = main(demo_client.get("/cities")).find("tbody").hrefs

    assert cities
    assert [href for href in cities if demo_client.get(href).status_code != 200] == []


def test_demo_taxonomy_pages_are_shown(demo_client):
    links = [
        href
        for href in main(demo_client.get("/tracks")).hrefs
        if href.startswith(("/tracks/", "/challenges/", "/services/", "/sdgs/"))
    ]

    assert links
    assert [href for href in links if demo_client.get(href).status_code != 200] == []
