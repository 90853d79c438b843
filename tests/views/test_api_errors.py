"""Errors under /api/ answer in JSON, as a script expects; the rest of the site keeps its pages."""

import pytest


@pytest.mark.parametrize("url", ["/api/v1/nothing", "/api/v2/solutions", "/api/"])
def test_unknown_api_address_is_a_json_404(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["status"] == 404
    assert data["error"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_writing_to_the_api_is_a_json_405_naming_the_allowed_methods(client, method):
    response = client.open("/api/v1/solutions", method=method)

    assert response.status_code == 405
    assert response.mimetype == "application/json"
    assert response.get_json()["status"] == 405
    assert response.get_json()["error"]
    assert "GET" in response.headers["Allow"]


def test_a_failure_inside_the_api_is_a_json_500(app):
    def fail():
        raise RuntimeError("boom")

    app.add_url_rule("/api/v1/fail", "fail", fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/api/v1/fail")

    assert response.status_code == 500
    assert response.mimetype == "application/json"
    assert response.get_json() == {"error": "Something went wrong", "status": 500}


def test_bad_parameters_keep_their_own_json_answer(client):
    response = client.get("/api/v1/solutions?page=0")

    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_parameter"


@pytest.mark.parametrize("url", ["/apiary", "/solutions/api"])
def test_pages_outside_the_api_keep_the_html_error_page(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert response.mimetype == "text/html"
