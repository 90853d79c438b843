"""The catalogue in a real browser (Debian's Chromium driven by Playwright), with and without JS."""

import pytest
from live_server import serving


@pytest.fixture(scope="module")
def server(demo_data_dir, tmp_path_factory, copy_data):
    """The demo catalogue served on a free loopback port for the length of the module."""
    copied = copy_data(demo_data_dir, tmp_path_factory.mktemp("browser") / "data", "demo")
    with serving(copied) as (url, _app):
        yield url


def test_ticking_a_filter_applies_it_at_once(server, page):
    page.goto(f"{server}/solutions?q=data")
    before = page.locator("#results-count strong").inner_text()
    page.get_by_label("Portugal", exact=False).first.check()
    page.wait_for_url("**country=PT**")
    assert page.locator(".chip", has_text="Country: Portugal").is_visible()
    assert page.locator("#results-count strong").inner_text() != before


def test_without_javascript_the_apply_button_filters(server, page_without_js):
    page = page_without_js
    page.goto(f"{server}/solutions?q=data")
    page.get_by_label("Portugal", exact=False).first.check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**country=PT**")
    assert page.locator(".chip", has_text="Country: Portugal").is_visible()


def test_the_search_box_suggests_titles(server, page):
    page.goto(f"{server}/solutions")
    page.locator("#q").press_sequentially("open da", delay=30)
    option = page.locator("datalist#title-suggestions option").first
    option.wait_for(state="attached")
    assert "Open data portal" in option.get_attribute("value")


def test_keyboard_users_reach_the_skip_link_first_and_it_shows(server, page):
    page.goto(f"{server}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None
    assert box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_entry_page_renders_markdown_and_similar_solutions(server, page):
    page.goto(f"{server}/solutions/terrassa-open-data-portal")
    assert page.locator("h1").inner_text().startswith("Open data portal")
    assert page.locator(".prose strong").count() > 0
    assert page.get_by_role("heading", name="Similar solutions").is_visible()


def test_filters_fold_away_on_a_phone_unless_some_are_active(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{server}/solutions?q=data")
        assert page.evaluate("document.querySelector('details.filter-panel').open") is False
        page.locator("summary", has_text="Filter").click()
        assert page.get_by_label("Portugal", exact=False).first.is_visible()
        page.goto(f"{server}/solutions?q=data&country=PT")
        assert page.evaluate("document.querySelector('details.filter-panel').open") is True
    finally:
        context.close()


def test_switching_the_language_on_the_search_page_keeps_the_search(server, browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{server}/solutions?q=data&country=PT")
        count = page.locator("#results-count strong").inner_text()
        page.get_by_label("Language").select_option("de")
        with page.expect_navigation():  # the menu posts, then comes back to the same address
            page.get_by_role("button", name="Change").click()
        page.locator("html[lang=de]").wait_for(state="attached")
        assert page.url == f"{server}/solutions?q=data&country=PT"
        assert page.locator("#q").input_value() == "data"
        assert page.locator("#results-count strong").inner_text() == count
        assert page.get_by_label("Sprache").input_value() == "de"
        page.goto(f"{server}/about")  # the choice stays for the next pages
        assert page.evaluate("document.documentElement.lang") == "de"
    finally:
        context.close()
