"""The catalogue: the paginated list of published entries and each entry's page."""

import re
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from page_reader import card_titles, headings, main, parse, section, skipped_heading_levels
from sqlalchemy import event

from marketplace.extensions import db
from marketplace.models import Adoption
from marketplace.vocab import Status

NOT_PUBLISHED = [status for status in Status if status != Status.PUBLISHED]


@pytest.fixture
def listing(client, build_index):
    """The list page at ``url``, on an index of what the test created (as `search rebuild`)."""

    def get(url: str = "/solutions"):
        build_index()
        return client.get(url)

    return get


def shows_total(page, total: int) -> bool:
    """True when ``page`` tells how many published entries there are in all ("7 entries")."""
    return re.search(rf"\b{total} (published )?entr(y|ies)\b", page.text) is not None


@pytest.fixture
def seven_published(make_solution):
    """Seven published entries (PER_PAGE is 5 in tests); returns their titles, newest first."""
    titles = [f"Entry published in month {month}" for month in range(7, 0, -1)]
    for month in range(1, 8):
        make_solution(
            title=f"Entry published in month {month}",
            published_at=datetime(2024, month, 1, tzinfo=UTC),
        )
    return titles


# The list


def test_list_shows_published_entries_newest_first(listing, make_solution):
    make_solution(title="Older", published_at=datetime(2024, 3, 1, tzinfo=UTC))
    make_solution(title="Newer", published_at=datetime(2025, 3, 1, tzinfo=UTC))

    page = main(listing())

    assert card_titles(page) == ["Newer", "Older"]
    assert shows_total(page, 2)


@pytest.mark.parametrize("status", NOT_PUBLISHED)
def test_list_leaves_out_unpublished_entries(listing, make_solution, status):
    make_solution(title="Public entry")
    hidden = make_solution(status=status, title="Hidden entry")

    page = main(listing())

    assert card_titles(page) == ["Public entry"]
    assert f"/solutions/{hidden.slug}" not in page.hrefs
    assert shows_total(page, 1)


def test_list_says_when_nothing_is_published(listing):
    response = listing()

    assert response.status_code == 200
    page = main(response)
    assert card_titles(page) == []
    assert "No published entr" in page.text


def test_card_links_to_the_entry_and_its_city(listing, make_solution, make_city):
    porto = make_city(slug="porto", name="Porto")
    make_solution(slug="solar-roofs", title="Solar roofs", city=porto)

    page = main(listing())

    assert "/solutions/solar-roofs" in page.hrefs
    assert "/cities/porto" in page.hrefs


def test_first_page_holds_one_page_of_entries_and_links_to_the_next(listing, seven_published):
    page = main(listing())

    assert card_titles(page) == seven_published[:5]
    assert page.find("a", rel="next")["href"] == "/solutions?page=2"


def test_second_page_holds_the_following_entries(listing, seven_published):
    page = main(listing("/solutions?page=2"))

    assert card_titles(page) == seven_published[5:]
    assert page.find("a", rel="prev")["href"] == "/solutions"
    assert "Page 2 of 2" in page.text


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "999999"])
def test_a_page_number_that_makes_no_sense_shows_the_first_page(listing, seven_published, page):
    response = listing(f"/solutions?page={page}")

    assert response.status_code == 200
    assert card_titles(main(response)) == seven_published[:5]


def test_a_page_past_the_last_is_shown_without_error(listing, seven_published):
    response = listing("/solutions?page=3")

    assert response.status_code == 200
    page = main(response)
    assert set(card_titles(page)) <= set(seven_published)
    assert shows_total(page, 7)
    assert "/solutions" in page.hrefs


# The entry page


@pytest.fixture
def entry(make_solution, make_city, taxonomy):
    """A published entry with every section filled in."""
    return make_solution(
        slug="solar-roofs",
        title="Solar roofs on schools",
        summary="Panels on every school roof, owned by a citizens' cooperative.",
        description="We put panels on **twelve** schools.",
        impact="Energy bills fell by *a third*.",
        lessons="Permits took `eight months`.",
        city=make_city(slug="porto", name="Porto", country="PT", role="mentor"),
        challenges=[taxonomy["challenges"]["retrofit"], taxonomy["challenges"]["last-mile"]],
        services=[taxonomy["service"]],
        sdgs=taxonomy["sdgs"],
        contact_name="Ana Silva",
        contact_email="ana@porto.example",
    )


def test_entry_page_shows_title_and_summary(client, entry):
    page = main(client.get("/solutions/solar-roofs"))

    assert page.find("h1").text == "Solar roofs on schools"
    assert "Panels on every school roof, owned by a citizens' cooperative." in page.text


def test_entry_title_is_the_page_title(client, entry):
    title = parse(client.get("/solutions/solar-roofs")).find("title").text

    assert title.startswith("Solar roofs on schools")


@pytest.mark.parametrize(
    ("heading", "tag", "text"),
    [
        ("Description", "strong", "twelve"),
        ("Impact and results", "em", "a third"),
        ("Lessons learned", "code", "eight months"),
    ],
)
def test_markdown_sections_are_rendered_as_html(client, entry, heading, tag, text):
    region = section(main(client.get("/solutions/solar-roofs")), heading)

    assert region.find(tag).text == text
    assert "**" not in region.text


def test_headings_in_the_text_follow_the_page_outline(client, make_solution):
    solution = make_solution(
        description="### How it works\n\nPanels.\n\n##### Costs\n\nLow.",
        impact="# Results\n\n## In figures\n\n### Per school",
        lessons="#### Permits",
    )
    response = client.get(f"/solutions/{solution.slug}")

    assert skipped_heading_levels(parse(response)) == []
    page = main(response)
    description = section(page, "Description")
    assert [(h.tag, h.text) for h in description.find_all("h3")] == [("h3", "How it works")]
    assert description.find("h4").text == "Costs"
    impact = section(page, "Impact and results")
    assert [h.tag for h in impact.iter() if h.tag in {"h3", "h4", "h5"}] == ["h3", "h4", "h5"]
    assert section(page, "Lessons learned: what did not work").find("h3").text == "Permits"


def test_empty_impact_and_lessons_sections_are_left_out(client, make_solution):
    solution = make_solution(impact="", lessons="")

    titles = headings(main(client.get(f"/solutions/{solution.slug}")))

    assert "Impact and results" not in titles
    assert not any(title.startswith("Lessons learned") for title in titles)


def test_entry_links_to_its_city(client, entry):
    page = main(client.get("/solutions/solar-roofs"))

    assert "/cities/porto" in page.hrefs
    assert "By Porto, Portugal" in page.text


def test_entry_links_to_its_challenges_and_their_tracks(client, entry):
    hrefs = set(main(client.get("/solutions/solar-roofs")).hrefs)

    assert {"/challenges/retrofit", "/challenges/last-mile"} <= hrefs
    assert {"/tracks/green", "/tracks/mobility"} <= hrefs


def test_entry_links_to_its_sdgs(client, entry):
    page = main(client.get("/solutions/solar-roofs"))

    assert page.find("a", href="/sdgs/7").text == "7 Affordable and clean energy"
    assert page.find("a", href="/sdgs/11").text == "11 Cities"


def test_entry_links_to_its_transversal_services(client, entry):
    page = main(client.get("/solutions/solar-roofs"))

    assert page.find("a", href="/services/open-data").text == "Open data platforms"


def test_used_by_lists_the_adopting_cities(client, entry, make_city):
    lisbon = make_city(slug="lisbon", name="Lisbon")
    db.session.add(Adoption(solution=entry, city=lisbon, note="Twenty schools since 2024"))
    db.session.commit()

    used_by = section(main(client.get("/solutions/solar-roofs")), "Used by")

    assert used_by.find("a", href="/cities/lisbon").text == "Lisbon"
    assert "Twenty schools since 2024" in used_by.text


def test_used_by_says_when_no_city_adopted_the_entry(client, entry):
    used_by = section(main(client.get("/solutions/solar-roofs")), "Used by")

    assert "No other city has reported adopting this yet." in used_by.text


def test_public_contact_is_shown(client, entry):
    page = main(client.get("/solutions/solar-roofs"))

    assert "Ana Silva" in page.text
    assert "mailto:ana@porto.example" in page.hrefs


def test_private_contact_is_hidden(client, entry):
    entry.contact_public = False
    db.session.commit()

    response = client.get("/solutions/solar-roofs")

    html = response.get_data(as_text=True)
    assert "Ana Silva" not in html
    assert "ana@porto.example" not in html
    assert "Porto has not published a contact for this entry." in main(response).text


def test_sample_entry_shows_the_sample_data_badge(client, make_solution):
    solution = make_solution(sample=True)

    page = main(client.get(f"/solutions/{solution.slug}"))

    assert page.find(class_="badge-sample").text == "Sample data"


def test_real_entry_shows_no_sample_data_badge(client, make_solution):
    solution = make_solution(sample=False)

    assert main(client.get(f"/solutions/{solution.slug}")).find_all(class_="badge-sample") == []


@pytest.mark.parametrize("status", NOT_PUBLISHED)
def test_unpublished_entry_is_not_found_for_the_public(client, make_solution, status):
    solution = make_solution(status=status, title="Secret entry")

    response = client.get(f"/solutions/{solution.slug}")

    assert response.status_code == 404
    assert "Secret entry" not in response.get_data(as_text=True)


@contextmanager
def counting_statements():
    """Count the SQL statements run inside the block (the list holds one item per statement)."""
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("status", NOT_PUBLISHED)
@pytest.mark.parametrize("visitor", ["anonymous", "other city's publisher"])
def test_a_hidden_entry_costs_what_a_missing_one_does(
    app, client, auth, make_solution, make_user, make_city, status, visitor
):
    """Same answer, same work: timing must not tell that an unpublished slug exists."""
    if visitor != "anonymous":
        auth.login(make_user(role="publisher", city=make_city()).email)
    hidden = make_solution(status=status, slug="hidden-entry-1", title="Secret entry")
    make_solution(slug="published-entry")  # a catalogue that is not empty
    answers = {}
    for slug in (hidden.slug, "absent-entry-1"):
        client.get(f"/solutions/{slug}")  # warm caches (templates, compiled queries) alike
        with counting_statements() as statements:
            response = client.get(f"/solutions/{slug}")
        answers[slug] = (
            response.status_code,
            response.get_data(as_text=True).replace(slug, "SLUG"),
            len(statements),
        )
    assert answers[hidden.slug][0] == 404
    assert answers[hidden.slug] == answers["absent-entry-1"]


def test_unknown_entry_is_not_found_in_the_site_design(client):
    response = client.get("/solutions/no-such-entry")

    assert response.status_code == 404
    page = parse(response)
    assert page.find("h1").text == "Page not found"
    assert page.find("header", class_="site-header").find("a", href="/")
    assert "/solutions" in main(response).hrefs


# Untrusted text on the entry page

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
]


def assert_no_active_content(response):
    """No script element, no event handler attribute, no javascript: link anywhere in the page."""
    page = parse(response)
    # The one script element: the JSON-LD data block, which browsers do not run, and in which
    # user text cannot even write a "<" (tojson escapes it).
    scripts = page.find_all("script")
    assert [s.get("type") for s in scripts] in ([], ["application/ld+json"])
    assert not [s for s in scripts if "<" in s.text]
    for element in page.iter():
        assert not [name for name in element.attrs if name.startswith("on")], element
    for href in page.hrefs:
        assert not href.strip().lower().startswith("javascript:"), href


@pytest.mark.parametrize("field", ["description", "impact", "lessons"])
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markdown_fields_never_carry_markup_into_the_page(client, make_solution, field, payload):
    solution = make_solution(**{field: f"Before\n\n{payload}\n\nAfter"})

    response = client.get(f"/solutions/{solution.slug}")

    assert response.status_code == 200
    assert_no_active_content(response)
    assert "<script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["title", "summary", "contact_name"])
def test_plain_text_fields_are_shown_as_text(client, make_solution, field):
    solution = make_solution(**{field: "<script>alert(1)</script>"}, contact_email="a@b.example")

    response = client.get(f"/solutions/{solution.slug}")

    assert_no_active_content(response)
    assert "<script>alert(1)</script>" in main(response).text


def test_javascript_website_is_not_linked(client, make_solution):
    solution = make_solution(website="javascript:alert(1)")

    response = client.get(f"/solutions/{solution.slug}")

    assert_no_active_content(response)
    assert "javascript:" not in response.get_data(as_text=True)
