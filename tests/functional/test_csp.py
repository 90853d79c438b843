"""The pages under the Content-Security-Policy in a real browser, and a clickjacking attempt."""

import threading

import pytest
from live_server import serving
from werkzeug.serving import make_server


@pytest.fixture(scope="module")
def server(demo_data_dir, tmp_path_factory, copy_data):
    copied = copy_data(demo_data_dir, tmp_path_factory.mktemp("csp") / "data", "demo")
    with serving(copied) as (url, _app):
        yield url


@pytest.fixture
def watched(browser):
    """A page whose Content-Security-Policy violations (the DOM event) and console errors and
    warnings are recorded in ``page.violations`` and ``page.console_errors``."""
    context = browser.new_context()
    page = context.new_page()
    page.violations, page.console_errors = [], []
    context.expose_binding(
        "reportViolation", lambda _source, violation: page.violations.append(violation)
    )
    # Init scripts run through the DevTools protocol, which the page's CSP does not govern.
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (e) {"
        " window.reportViolation({directive: e.violatedDirective, blocked: e.blockedURI,"
        " page: document.location.pathname}); });"
    )
    page.on(
        "console",
        lambda message: (
            message.type in ("error", "warning")
            and page.console_errors.append(f"{page.url}: {message.text}")
        ),
    )
    yield page
    context.close()


def sign_in(page, server, email, password):
    page.goto(f"{server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Sign out").count() == 1


def first_link(page, href_part):
    return page.locator(f"main a[href*='{href_part}']").first.get_attribute("href")


def test_the_listener_sees_a_violation(server, watched):
    """The recorder works: markup with an inline style, added to a page, is refused."""
    watched.goto(f"{server}/about")
    watched.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')"
    )
    watched.wait_for_function("document.querySelector('p[style]') !== null")
    watched.wait_for_timeout(100)  # the event is queued as a task after the insertion
    assert [v["directive"] for v in watched.violations] == ["style-src-attr"]
    assert any("Content Security Policy" in text for text in watched.console_errors)


def test_the_main_pages_raise_no_violation(server, watched):
    page = watched
    visited = []

    def visit(path):
        response = page.goto(f"{server}{path}")
        assert response.status == 200, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        page.wait_for_load_state("networkidle")
        visited.append(path)

    visit("/")
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "", "site.css loaded"
    visit("/solutions?q=data&country=PT")
    visit("/solutions/terrassa-open-data-portal")
    # The JSON-LD data block is in the page and the policy has nothing to say about it.
    assert page.locator('script[type="application/ld+json"]').count() == 1
    visit(first_link(page, "/cities/"))  # the entry's city
    assert page.locator('script[type="application/ld+json"]').count() == 1
    visit("/cities")
    visit("/login")
    sign_in(page, server, "publisher@terrassa.example", "demo-publisher-pass")
    visit("/my")
    visit(first_link(page, "/edit"))
    assert page.get_by_label("Title").input_value() != ""
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, "curator@tech4good.example", "demo-curator-pass")
    visit("/curate")
    visit(first_link(page, "/curate/entries/"))
    assert page.get_by_role("button", name="Approve and publish").count() == 1
    assert len(visited) == 10
    assert page.violations == []
    assert page.console_errors == []


def test_the_search_script_still_works_under_the_policy(server, watched):
    page = watched
    page.goto(f"{server}/solutions?q=data")
    page.get_by_label("Portugal", exact=False).first.check()  # search.js submits at once
    page.wait_for_url("**country=PT**")
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("open da", delay=30)  # fetches suggestions
    option = page.locator("datalist#title-suggestions option").first
    option.wait_for(state="attached")
    assert "Open data portal" in option.get_attribute("value")
    assert page.violations == []
    assert page.console_errors == []


@pytest.fixture
def attacker():
    """Another site on this host (another port): a page that frames the URL in ?target=."""

    def app(environ, start_response):
        target = environ.get("QUERY_STRING", "").removeprefix("target=")
        start_response("200 OK", [("Content-Type", "text/html")])
        return [f'<h1>Win a prize</h1><iframe id="bait" src="{target}"></iframe>'.encode()]

    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_another_site_cannot_frame_the_review_page(server, watched, attacker):
    """Clickjacking: a signed-in curator visits another site, which frames the review page and
    its Approve/Reject buttons under a decoy; the browser refuses to render it in the frame."""
    page = watched
    sign_in(page, server, "curator@tech4good.example", "demo-curator-pass")
    page.goto(f"{server}/curate")
    review = server + first_link(page, "/curate/entries/")
    page.goto(review)  # the session is good: on the site itself the buttons are there
    assert page.get_by_role("button", name="Approve and publish").count() == 1

    with page.expect_response(review) as framed:
        page.goto(f"{attacker}/?target={review}")
    assert framed.value.status == 200  # the cookie went along: the page was made for the curator
    page.wait_for_load_state("networkidle")
    frame = page.frame_locator("#bait")
    assert frame.get_by_role("button", name="Approve and publish").count() == 0
    assert frame.get_by_role("button", name="Reject").count() == 0
    assert page.locator("#bait").element_handle().content_frame().url != review
    assert any("frame-ancestors" in text for text in page.console_errors)
