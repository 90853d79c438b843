"""City pages: the list of ICC cities and each city's profile, entries and adoptions."""

import pytest
from page_reader import card_titles, main, parse, section, skipped_heading_levels

from marketplace.extensions import db
from marketplace.models import Adoption
from marketplace.vocab import Status

NOT_PUBLISHED = [status for status in Status if status != Status.PUBLISHED]


def city_rows(response) -> dict[str, list[str]]:
    """City name -> the other cells of its row (country, role, published entries)."""
    rows = main(response).find("tbody").find_all("tr")
    return {row.find("th").text: [cell.text for cell in row.find_all("td")] for row in rows}


# The list


def test_cities_list_shows_every_city_with_country_role_and_count(client, make_city):
    make_city(name="Porto", country="PT", role="mentor")
    make_city(name="Espoo", country="FI", role="observer")

    assert city_rows(client.get("/cities")) == {
        "Espoo": ["Finland", "Observer city", "0"],
        "Porto": ["Portugal", "Mentor city", "0"],
    }


def test_cities_list_counts_only_published_entries(client, make_city, make_solution):
    porto = make_city(name="Porto")
    make_solution(city=porto)
    make_solution(city=porto)
    for status in NOT_PUBLISHED:
        make_solution(city=porto, status=status)

    assert city_rows(client.get("/cities"))["Porto"][-1] == "2"


def test_cities_list_links_to_each_city(client, make_city):
    make_city(slug="porto", name="Porto")

    assert main(client.get("/cities")).find("a", href="/cities/porto").text == "Porto"


# A city's page


@pytest.fixture
def porto(make_city):
    return make_city(
        slug="porto",
        name="Porto",
        country="PT",
        role="mentor",
        population=231_800,
        profile="Porto is a **mentor** city.",
    )


def test_city_page_shows_name_role_and_country(client, porto):
    page = main(client.get("/cities/porto"))

    assert page.find("h1").text == "Porto"
    assert "Mentor city" in page.text
    assert "Portugal" in page.text


def test_city_population_is_grouped_as_the_interface_language_groups_digits(client, porto):
    assert "231,800" in main(client.get("/cities/porto")).text
    assert "231.800" in main(client.get("/cities/porto?lang=de")).text
    assert "231\u202f800" in main(client.get("/cities/porto?lang=fr")).text


def test_city_profile_markdown_is_rendered(client, porto):
    profile = section(main(client.get("/cities/porto")), "Profile")

    assert profile.find("strong").text == "mentor"
    assert "**" not in profile.text


def test_city_profile_headings_follow_the_page_outline(client, make_city):
    make_city(slug="braga", name="Braga", profile="### Priorities\n\nHousing.\n\n#### Next")
    response = client.get("/cities/braga")

    assert skipped_heading_levels(parse(response)) == []
    profile = section(main(response), "Profile")
    assert [(h.tag, h.text) for h in profile.iter() if h.tag in {"h2", "h3", "h4"}] == [
        ("h2", "Priorities"),
        ("h3", "Next"),
    ]


def test_city_profile_never_carries_markup_into_the_page(client, make_city):
    make_city(slug="evil", profile="<script>alert(1)</script> [x](javascript:alert(1))")

    page = parse(client.get("/cities/evil"))

    # The one script element: the JSON-LD data block, which browsers do not run, and in which
    # user text cannot even write a "<" (tojson escapes it).
    scripts = page.find_all("script")
    assert [s.get("type") for s in scripts] in ([], ["application/ld+json"])
    assert not [s for s in scripts if "<" in s.text]
    assert not [href for href in page.hrefs if href.lower().startswith("javascript:")]


def test_city_page_lists_only_its_own_published_entries(client, porto, make_solution):
    make_solution(city=porto, title="Porto's entry")
    make_solution(title="Another city's entry")
    for status in NOT_PUBLISHED:
        make_solution(city=porto, status=status, title=f"Porto's {status} entry")

    entries = section(main(client.get("/cities/porto")), "Entries published by Porto")

    assert card_titles(entries) == ["Porto's entry"]
    assert "(1)" in entries.find("h2").text


def test_city_page_says_when_the_city_published_nothing(client, porto):
    entries = section(main(client.get("/cities/porto")), "Entries published by Porto")

    assert "Porto has not published any entry yet." in entries.text


def test_city_page_lists_the_published_entries_it_adopted(client, porto, make_solution):
    adopted = make_solution(title="Adopted entry")
    make_solution(title="Not adopted entry")
    db.session.add(Adoption(solution=adopted, city=porto))
    db.session.commit()

    region = section(main(client.get("/cities/porto")), "Adopted from other cities")

    assert card_titles(region) == ["Adopted entry"]
    assert "(1)" in region.find("h2").text


@pytest.mark.parametrize("status", NOT_PUBLISHED)
def test_city_page_leaves_out_adopted_entries_that_are_not_published(
    client, porto, make_solution, status
):
    hidden = make_solution(status=status, title="Hidden adopted entry")
    db.session.add(Adoption(solution=hidden, city=porto))
    db.session.commit()

    region = section(main(client.get("/cities/porto")), "Adopted from other cities")

    assert card_titles(region) == []
    assert "Hidden adopted entry" not in region.text


def test_unknown_city_is_not_found(client):
    response = client.get("/cities/no-such-city")

    assert response.status_code == 404
    assert parse(response).find("h1").text == "Page not found"
