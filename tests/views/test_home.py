"""The home page: search, the tracks with their counts, featured and latest published entries."""

from datetime import UTC, datetime

import pytest
from page_reader import card_titles, headings, main, parse, section

from marketplace.vocab import Status

NOT_PUBLISHED = [status for status in Status if status != Status.PUBLISHED]


def track_tiles(response) -> dict[str, str]:
    """Track name -> the entry count shown on its tile."""
    tiles = section(main(response), "Browse by thematic track").find_all("a", class_="track-tile")
    return {
        tile.find(class_="track-name").text: tile.find(class_="track-count").text for tile in tiles
    }


def test_home_page_is_shown(client):
    assert client.get("/").status_code == 200


def test_search_form_sends_a_labelled_query_to_the_catalogue(client):
    page = main(client.get("/"))

    form = page.find("form", role="search")
    assert form["action"] == "/solutions"
    assert form.get("method", "get").lower() == "get"
    query = form.find("input", name="q")
    label = form.find("label", for_=query["id"])
    assert label.text


def test_every_track_of_the_demo_catalogue_is_offered_with_its_count(demo_client):
    tiles = section(main(demo_client.get("/")), "Browse by thematic track").find_all(
        "a", class_="track-tile"
    )

    assert len(tiles) == 5
    for tile in tiles:
        count = int(tile.find(class_="track-count").text.split()[0])
        track_page = main(demo_client.get(tile["href"]))
        assert f"Entries in this track ({count})" in headings(track_page)


def test_track_counts_include_only_published_entries(client, make_solution, taxonomy):
    retrofit = taxonomy["challenges"]["retrofit"]
    make_solution(challenges=[retrofit])
    make_solution(challenges=[retrofit, taxonomy["challenges"]["smes"]])
    for status in NOT_PUBLISHED:
        make_solution(status=status, challenges=[retrofit])

    assert track_tiles(client.get("/")) == {"Green economy": "2 entries", "Mobility": "0 entries"}


def test_track_count_of_one_entry_is_singular(client, make_solution, taxonomy):
    make_solution(challenges=[taxonomy["challenges"]["last-mile"]])

    assert track_tiles(client.get("/"))["Mobility"] == "1 entry"


def test_total_counts_published_entries_only(client, make_solution):
    make_solution()
    make_solution()
    make_solution(status=Status.DRAFT)

    assert "2 published entries" in main(client.get("/")).text


def test_featured_section_shows_featured_published_entries(client, make_solution):
    make_solution(title="Solar roofs", featured=True)
    make_solution(title="Bike lanes")

    featured = section(main(client.get("/")), "Featured")

    assert card_titles(featured) == ["Solar roofs"]


def test_featured_section_is_absent_without_featured_entries(client, make_solution):
    make_solution(title="Bike lanes")

    assert "Featured" not in main(client.get("/")).text


def test_latest_section_lists_published_entries_newest_first(client, make_solution):
    make_solution(title="Oldest", published_at=datetime(2024, 1, 1, tzinfo=UTC))
    make_solution(title="Newest", published_at=datetime(2025, 6, 1, tzinfo=UTC))
    make_solution(title="Middle", published_at=datetime(2024, 9, 1, tzinfo=UTC))

    latest = section(main(client.get("/")), "Latest entries")

    assert card_titles(latest) == ["Newest", "Middle", "Oldest"]
    assert "/solutions" in latest.hrefs


def test_latest_section_says_when_nothing_is_published(client):
    latest = section(main(client.get("/")), "Latest entries")

    assert card_titles(latest) == []
    assert "No published entries yet." in latest.text


@pytest.mark.parametrize("status", NOT_PUBLISHED)
def test_unpublished_entries_never_appear(client, make_solution, status):
    make_solution(title="Visible entry", featured=True)
    hidden = make_solution(status=status, title="Hidden entry", featured=True)

    page = parse(client.get("/"))

    assert "Hidden entry" not in page.text
    assert f"/solutions/{hidden.slug}" not in page.hrefs
    assert "Visible entry" in page.text
