"""A city writes an entry and a curator publishes it, in a real browser with CSRF on."""

import pytest
from live_server import serving

DESCRIPTION = (
    "Terrassa lends **cargo bikes** to small shops in the old town for deliveries under five "
    "kilometres. Shops book a bike online for half a day; the city maintains the fleet with a "
    "social enterprise that trains young people as mechanics."
)


@pytest.fixture(scope="module")
def server(demo_data_dir, tmp_path_factory, copy_data):
    copied = copy_data(demo_data_dir, tmp_path_factory.mktemp("publish") / "data", "demo")
    with serving(copied) as (url, _app):
        yield url


def sign_in(page, server, email, password):
    page.goto(f"{server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()


def test_a_city_writes_an_entry_and_a_curator_publishes_it(server, browser):
    author = browser.new_context().new_page()
    sign_in(author, server, "publisher@terrassa.example", "demo-publisher-pass")
    author.get_by_role("link", name="Write a new entry").click()
    author.get_by_label("Title").fill("Cargo bikes lent to old-town shops")
    author.get_by_label("Solution", exact=True).check()
    author.get_by_label("Summary").fill("Shops borrow city cargo bikes for short deliveries.")
    author.get_by_label("Description").fill(DESCRIPTION)
    author.get_by_label("Last mile", exact=False).first.check()
    author.get_by_label("Pilot", exact=False).check()
    author.get_by_label("Contact email").fill("mobilitat@terrassa.example")

    author.get_by_role("button", name="Preview").click()
    preview = author.locator(".preview-frame")
    assert preview.locator("h1").inner_text() == "Cargo bikes lent to old-town shops"
    assert preview.locator("strong", has_text="cargo bikes").count() == 1
    assert author.get_by_label("Title").input_value() == "Cargo bikes lent to old-town shops"

    author.get_by_role("button", name="Submit for review").click()
    if author.get_by_role("heading", name="Is your entry already in the catalogue?").count():
        author.get_by_label("None of these describes the same thing").check()
        author.get_by_role("button", name="Submit for review").click()
    assert author.locator(".facts").get_by_text("Submitted for review").is_visible()

    curator = browser.new_context().new_page()
    sign_in(curator, server, "curator@tech4good.example", "demo-curator-pass")
    curator.get_by_role("link", name="Curate").click()
    curator.get_by_role("link", name="Cargo bikes lent to old-town shops").click()
    curator.get_by_role("button", name="Approve and publish").click()
    assert "Approved and published" in curator.locator(".flashes").inner_text()

    visitor = browser.new_context().new_page()
    visitor.goto(f"{server}/solutions?q=cargo+bikes")
    visitor.get_by_role("link", name="Cargo bikes lent to old-town shops").click()
    assert visitor.locator("h1").inner_text() == "Cargo bikes lent to old-town shops"
    for page in (author, curator, visitor):
        page.context.close()


def test_a_form_without_javascript_shows_every_error_and_keeps_the_text(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, server, "publisher@terrassa.example", "demo-publisher-pass")
    page.goto(f"{server}/my/entries/new")
    page.get_by_label("Title").fill("Half-written idea")
    page.get_by_label("Description").fill("Too short to submit.")
    page.get_by_role("button", name="Submit for review").click()
    alert = page.get_by_role("alert")
    assert "Please correct the marked fields" in alert.inner_text()
    assert alert.get_by_role("link").count() >= 4
    assert page.get_by_label("Description").input_value() == "Too short to submit."
    page.get_by_role("button", name="Save draft").click()
    assert "Draft saved" in page.locator(".flashes").inner_text()
    context.close()
