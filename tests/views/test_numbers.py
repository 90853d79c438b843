"""Whole numbers in URLs and forms: out of range is a 404 or a field error, never a 500."""

import inspect
import re

import pytest
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import NumberRange

import marketplace.forms.account
import marketplace.forms.auth
import marketplace.forms.city
import marketplace.forms.entry
import marketplace.forms.exchange
import marketplace.forms.manage
import marketplace.forms.reports
from marketplace.views.ids import ID_MAX, parse_id

FORM_MODULES = [
    marketplace.forms.account,
    marketplace.forms.auth,
    marketplace.forms.city,
    marketplace.forms.entry,
    marketplace.forms.exchange,
    marketplace.forms.manage,
    marketplace.forms.reports,
]
OUT_OF_RANGE = ["0", str(ID_MAX + 1), str(2**63), "99999999999999999999999", "9" * 5000]
NOT_NUMBERS = ["-1", "²", "٣", "1.0", "1e3", " 1"]
CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>")


def converters(rule) -> list[str]:
    """The converter names a rule's variables use ("default" where none is named)."""
    return [name or "default" for name in CONVERTER.findall(rule.rule)]


def number_rules(app):
    """The routes that take a number (with any converter, so that a plain int fails below)."""
    numbers = {"id", "int", "float"}
    return [rule for rule in app.url_map.iter_rules() if numbers & set(converters(rule))]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", 1), ("42", 42), ("007", 7), (str(ID_MAX), ID_MAX), (None, None), ("", None)]
    + [(raw, None) for raw in OUT_OF_RANGE + NOT_NUMBERS],
)
def test_parse_id_takes_only_numbers_an_id_column_holds(raw, expected):
    assert parse_id(raw) == expected


def test_no_route_takes_an_unbounded_number(app):
    unbounded = {
        rule.rule for rule in app.url_map.iter_rules() if {"int", "float"} & set(converters(rule))
    }
    assert unbounded == set(), "use <id:...> (marketplace/views/ids.py) for numbers in URLs"
    assert number_rules(app), "the id converter is registered and used"


@pytest.fixture
def as_admin(app, make_user):
    client = app.test_client()
    admin = make_user(role="admin")
    client.post("/login", data={"email": admin.email, "password": "correct horse battery"})
    return client


@pytest.fixture
def as_publisher(app, make_user, make_city):
    client = app.test_client()
    publisher = make_user(role="publisher", city=make_city())
    client.post("/login", data={"email": publisher.email, "password": "correct horse battery"})
    return client


@pytest.mark.parametrize("raw", ["0", str(ID_MAX + 1), "99999999999999999999999", "²", "007"])
@pytest.mark.parametrize("signed_in", ["as_admin", "as_publisher"])
def test_a_number_no_row_can_have_is_not_found_on_every_route(app, request, signed_in, raw):
    client = request.getfixturevalue(signed_in)
    rules = number_rules(app)
    assert len(rules) >= 16
    for rule in rules:
        url = re.sub(r"<[^>]+>", raw, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 404, (method, url[:60], response.status_code)


def test_ids_in_range_reach_the_page(client, taxonomy):
    assert client.get("/sdgs/7").status_code == 200
    assert client.get(f"/sdgs/{ID_MAX}").status_code == 404


def form_classes():
    for module in FORM_MODULES:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_integer_field_has_a_range_an_integer_column_holds(app):
    integer_fields = []
    with app.test_request_context():
        for cls in form_classes():
            form = cls(meta={"csrf": False})
            for field in form:
                if isinstance(field, IntegerField):
                    integer_fields.append(field)
                    ranges = [v for v in field.validators if isinstance(v, NumberRange)]
                    assert ranges, f"{cls.__name__}.{field.name} needs a NumberRange"
                    assert all(
                        r.min is not None
                        and r.max is not None
                        and -ID_MAX <= r.min <= r.max
                        and r.max <= ID_MAX
                        for r in ranges
                    ), f"{cls.__name__}.{field.name}"
    assert integer_fields, "the forms' integer fields were found"


@pytest.mark.parametrize("population", ["99999999999999999999999", "9" * 5000, "²", "-5"])
def test_a_population_out_of_range_is_a_field_error(app, population):
    from marketplace.forms.city import CityProfileForm

    with app.test_request_context(method="POST", data={"population": population}):
        form = CityProfileForm(meta={"csrf": False})
        assert not form.validate()
        assert form.population.errors


@pytest.mark.parametrize("sdg", ["99999999999999999999999", str(ID_MAX + 1), "²", "-7"])
def test_an_sdg_number_out_of_range_is_a_field_error(as_publisher, taxonomy, sdg):
    response = as_publisher.post("/my/entries/new", data={"title": "T", "sdgs": sdg})
    assert response.status_code == 400
    assert "choice" in response.text.lower()
