"""Tracks, challenges, transversal services and SDGs, each with the published entries under it."""

from datetime import UTC, datetime

import pytest
from page_reader import card_titles, headings, main, parse, section

from marketplace.extensions import db
from marketplace.vocab import Status

NOT_PUBLISHED = [status for status in Status if status != Status.PUBLISHED]

# Pages filing entries under the "retrofit" challenge, the "open-data" service and SDG 7.
FILING_PAGES = {
    "/tracks/green": "Entries in this track",
    "/challenges/retrofit": "Entries addressing this challenge",
    "/services/open-data": "Entries using this service",
    "/sdgs/7": "Entries contributing to this goal",
}


@pytest.fixture
def filed(make_solution, taxonomy):
    """One published entry filed under retrofit / open-data / SDG 7, the same filing in every
    other status, and a published entry filed elsewhere (last-mile, no service, SDG 11)."""
    filing = {
        "challenges": [taxonomy["challenges"]["retrofit"]],
        "services": [taxonomy["service"]],
        "sdgs": [taxonomy["sdgs"][0]],
    }
    make_solution(title="Filed and published", **filing)
    for status in NOT_PUBLISHED:
        make_solution(status=status, title=f"Filed but {status}", **filing)
    make_solution(
        title="Filed elsewhere",
        challenges=[taxonomy["challenges"]["last-mile"]],
        sdgs=[taxonomy["sdgs"][1]],
    )


def count_after(scope, name: str) -> str:
    """The "(n)" count shown next to the link named ``name``."""
    link = next(link for link in scope.find_all("a") if link.text == name)
    item = next(element for element in scope.iter() if link in element.children)
    return item.find(class_="count").text


# The overview


def test_tracks_page_lists_tracks_with_published_counts(client, filed):
    titles = headings(main(client.get("/tracks")))

    assert "Green economy (1)" in titles
    assert "Mobility (1)" in titles


def test_tracks_page_lists_challenges_with_published_counts(client, filed):
    page = main(client.get("/tracks"))

    assert count_after(page, "Retrofitting buildings") == "(1)"
    assert count_after(page, "Green SMEs") == "(0)"
    assert count_after(page, "Last mile") == "(1)"


def test_tracks_page_lists_services_with_published_counts(client, filed):
    services = section(main(client.get("/tracks")), "Transversal services")

    assert count_after(services, "Open data platforms") == "(1)"
    assert "/services/open-data" in services.hrefs


def test_tracks_page_lists_sdgs_with_published_counts(client, filed):
    sdgs = section(main(client.get("/tracks")), "UN Sustainable Development Goals")

    assert count_after(sdgs, "7 Affordable and clean energy") == "(1)"
    assert count_after(sdgs, "11 Cities") == "(1)"


def test_tracks_page_links_every_track_and_challenge(client, taxonomy):
    hrefs = main(client.get("/tracks")).hrefs

    assert {"/tracks/green", "/tracks/mobility"} <= set(hrefs)
    assert {f"/challenges/{slug}" for slug in taxonomy["challenges"]} <= set(hrefs)


def test_tracks_page_leaves_out_retired_tracks(client, taxonomy):
    taxonomy["tracks"][1].retired = True
    db.session.commit()

    assert "Mobility" not in main(client.get("/tracks")).text


# One track, challenge, service or SDG


@pytest.mark.parametrize(("url", "heading"), FILING_PAGES.items())
def test_page_lists_only_the_published_entries_filed_under_it(client, filed, url, heading):
    page = main(client.get(url))

    assert card_titles(page) == ["Filed and published"]
    assert f"{heading} (1)" in headings(page)


@pytest.mark.parametrize(("url", "heading"), FILING_PAGES.items())
def test_page_says_when_nothing_is_filed_under_it(client, taxonomy, url, heading):
    response = client.get(url)

    assert response.status_code == 200
    assert f"{heading} (0)" in headings(main(response))
    assert "No published entries yet." in main(response).text


def test_track_page_shows_its_name_and_challenges_with_counts(client, filed):
    page = main(client.get("/tracks/green"))

    assert page.find("h1").text == "Green economy"
    assert count_after(page, "Retrofitting buildings") == "(1)"
    assert count_after(page, "Green SMEs") == "(0)"


def test_track_page_lists_entries_of_all_its_challenges_once(client, make_solution, taxonomy):
    challenges = taxonomy["challenges"]
    make_solution(title="Both", challenges=[challenges["retrofit"], challenges["smes"]])
    make_solution(title="SMEs only", challenges=[challenges["smes"]])

    page = main(client.get("/tracks/green"))

    assert sorted(card_titles(page)) == ["Both", "SMEs only"]


def test_track_page_is_paginated(client, make_solution):
    for day in range(1, 8):
        make_solution(title=f"Day {day}", published_at=datetime(2025, 1, day, tzinfo=UTC))

    page = main(client.get("/tracks/green?page=2"))

    assert card_titles(page) == ["Day 2", "Day 1"]
    assert "Entries in this track (7)" in headings(page)


def test_challenge_page_names_its_track(client, taxonomy):
    page = main(client.get("/challenges/retrofit"))

    assert page.find("h1").text == "Retrofitting buildings"
    assert "/tracks/green" in page.hrefs


def test_service_page_shows_its_name(client, taxonomy):
    assert main(client.get("/services/open-data")).find("h1").text == "Open data platforms"


def test_sdg_page_shows_number_and_name(client, taxonomy):
    assert main(client.get("/sdgs/7")).find("h1").text == "7 Affordable and clean energy"


@pytest.mark.parametrize(
    "url",
    [
        "/tracks/no-such-track",
        "/challenges/no-such-challenge",
        "/services/no-such-service",
        "/sdgs/99",
        "/sdgs/0",
        "/sdgs/-1",
        "/sdgs/seven",
    ],
)
def test_unknown_taxonomy_page_is_not_found(client, taxonomy, url):
    response = client.get(url)

    assert response.status_code == 404
    assert parse(response).find("h1").text == "Page not found"


def test_a_page_past_the_last_says_so_without_claiming_nothing_is_filed(client, make_solution):
    for _ in range(6):  # two pages at five per page
        make_solution()
    response = client.get("/tracks/green?page=99")
    assert response.status_code == 200
    text = " ".join(response.get_data(as_text=True).split())
    assert "There is no page 99: the last page is 2." in text
    assert "No published entries yet" not in text


def test_an_absurd_page_number_is_not_an_error(client, make_solution):
    make_solution()
    response = client.get("/tracks/green?page=" + "9" * 40)
    assert response.status_code == 200
    assert "the last page is 1" in response.get_data(as_text=True)
