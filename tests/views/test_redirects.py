"""Old addresses of public pages answer 301 with where the content is now."""

from marketplace.extensions import db
from marketplace.models import Report
from marketplace.services import manage_cities, reports
from marketplace.vocab import Status


def merge(curator, source, target):
    report = reports.create_report(source, "duplicate", "", "192.0.2.7", "", target.slug)
    reports.decide(curator, db.session.get(Report, report.id), "merge", "Same thing", target.slug)


def test_a_merged_duplicate_redirects_to_the_entry_it_was_merged_into(
    client, make_solution, curator
):
    first, second, third = (make_solution(status=Status.PUBLISHED) for _ in range(3))
    merge(curator, first, second)
    response = client.get(f"/solutions/{first.slug}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/solutions/{second.slug}"
    merge(curator, second, third)  # links to the first follow the content again
    assert client.get(f"/solutions/{first.slug}").headers["Location"] == f"/solutions/{third.slug}"
    assert client.get("/solutions/never-existed").status_code == 404


def test_a_city_whose_address_changed_redirects(client, make_city, curator):
    city = make_city(slug="tripoli", name="Tripoli", country="GR")
    details = manage_cities.CityDetails("Tripoli", "tripoli-gr", "GR", city.role)
    manage_cities.edit_city(curator, city, details)
    response = client.get("/cities/tripoli")
    assert response.status_code == 301
    assert response.headers["Location"] == "/cities/tripoli-gr"
    assert client.get("/cities/tripoli-gr").status_code == 200
    # The old address given to another city is that city's page again.
    manage_cities.create_city(
        curator, manage_cities.CityDetails("Tripoli", "tripoli", "LY", "core")
    )
    assert client.get("/cities/tripoli").status_code == 200


def test_a_post_to_an_old_address_is_not_turned_into_a_get(client, make_solution, curator):
    first, second = (make_solution(status=Status.PUBLISHED) for _ in range(2))
    merge(curator, first, second)
    response = client.post(f"/solutions/{first.slug}/report", data={"reason": "outdated"})
    assert response.status_code == 404
