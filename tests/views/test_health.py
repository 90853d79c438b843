"""`/healthz` for load balancers: the database, the index generation and the outbox lag."""

from marketplace import search


def test_a_node_without_an_index_is_healthy_and_says_so(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["search"]["index"] is None
    assert "Set-Cookie" not in response.headers  # no session for a probe every few seconds


def test_the_health_check_reports_the_outbox_rows_the_index_has_not_applied(
    app, ctx, client, make_solution
):
    search.rebuild()
    make_solution(slug="waiting")  # committed outside a request: nothing drained it yet
    behind = client.get("/healthz").get_json()
    assert behind["status"] == "ok"
    assert behind["database"] is True
    lag = behind["search"]
    assert lag["index"].startswith("index-")
    assert lag["generation"] >= 0
    assert lag["pending"] >= 1
    assert lag["applied_outbox_id"] < lag["latest_outbox_id"]
    assert lag["lag_seconds"] >= 0
    caught_up = client.get("/healthz").get_json()["search"]  # the first one's end drained
    assert caught_up["pending"] == 0
    assert caught_up["applied_outbox_id"] == caught_up["latest_outbox_id"]
    assert caught_up["generation"] > lag["generation"]


def test_the_health_check_gives_away_nothing_an_attacker_could_use(app, client):
    response = client.get("/healthz")
    assert response.headers["Cache-Control"] == "no-store"
    assert set(response.get_json()) == {"status", "database", "search"}
    for secret in (app.config["SECRET_KEY"], app.config["SQLALCHEMY_DATABASE_URI"], "ython"):
        assert secret not in response.text
    assert "Set-Cookie" not in response.headers
