"""The database going away: a 503 page in the site's design, and the app recovering by itself."""

import pytest

from marketplace import search


@pytest.fixture
def built(app, ctx):
    search.rebuild()
    return app


@pytest.fixture
def curator(make_user):
    return make_user(email="curator@example.org", role="curator")


def test_pages_answer_503_in_the_site_s_design_while_the_database_is_away(built, client, databases):
    assert client.get("/").status_code == 200  # a pooled connection the outage will kill
    with databases.outage(built):
        page = client.get("/solutions", headers={"Accept-Language": "de"})
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "10"
        assert 'class="brand"' in page.text  # the site's header, not a bare error
        assert "Vorübergehend nicht verfügbar" in page.text
        api = client.get("/api/v1/solutions")
        assert api.status_code == 503
        assert api.get_json() == {"error": "Temporarily unavailable", "status": 503}
        assert api.headers["Retry-After"] == "10"
    assert client.get("/solutions").status_code == 200  # no restart needed


def test_a_signed_in_visitor_gets_the_page_too(app, client_for, curator, databases):
    browser = client_for(curator)
    assert "Curate" in browser.get("/").text
    with databases.outage(app):
        page = browser.get("/curate")
        assert page.status_code == 503
        assert "Temporarily unavailable" in page.text
    assert browser.get("/curate").status_code == 200


def test_the_health_check_says_the_database_is_unreachable(app, client, databases):
    with databases.outage(app):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "unavailable", "database": False, "search": None}
    assert client.get("/healthz").status_code == 200
