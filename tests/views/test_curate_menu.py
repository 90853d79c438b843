"""The curation menu offers exactly the pages its reader may open."""

import pytest
from flask import url_for

from marketplace.filters import CURATE_NAV, curate_nav


@pytest.mark.parametrize("role", ["publisher", "curator", "admin"])
def test_the_menu_asks_what_the_routes_ask(app, client_for, make_user, make_city, role):
    user = make_user(role=role, city=make_city() if role == "publisher" else None)
    client = client_for(user)
    with app.test_request_context():
        every = {endpoint: url_for(endpoint) for endpoint, _, _ in CURATE_NAV}
    with client:
        client.get("/")  # a request as this user, so curate_nav sees them
        offered = {endpoint for endpoint, _ in curate_nav()}
    for endpoint, path in every.items():
        status = client.get(path).status_code
        assert (status == 200) == (endpoint in offered), (role, endpoint, status)
    assert bool(offered) == (role != "publisher")
