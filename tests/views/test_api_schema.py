"""The OpenAPI description of the API: valid OpenAPI 3.1, and every operation's answers (with
generated parameters, by schemathesis) are no server error and match it."""

import pytest
import schemathesis
from databases import release
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from support import TEST_CONFIG

from marketplace import create_app

# 800 cases in all: about 15 s on the demo catalogue, well under a minute.
MAX_EXAMPLES = 50


@pytest.fixture(scope="module")
def api_app(demo_data_dir, tmp_path_factory, copy_data, databases):
    settings_ = copy_data(demo_data_dir, tmp_path_factory.mktemp("schema") / "data", "demo")
    app = create_app({**TEST_CONFIG, **settings_})
    yield app
    release(app)
    databases.discard(settings_)


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)


def test_the_description_is_valid_openapi_3_1(api_app):
    document = api_app.test_client().get("/api/v1/openapi.json").get_json()

    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any violation of the OpenAPI 3.1 meta-schema
    assert document["servers"] == [{"url": "http://127.0.0.1:5000"}]


OPERATIONS = [
    f"GET /api/v1/{path}"
    for path in (
        "solutions",
        "solutions/{slug}",
        "cities",
        "cities/{slug}",
        "tracks",
        "challenges",
        "services",
        "sdgs",
    )
]


def test_the_description_names_every_api_route(api_app, api_schema):
    described = {result.ok().label for result in api_schema.get_all_operations()}
    routes = {
        "GET " + rule.rule.replace("<slug>", "{slug}")
        for rule in api_app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json")
    }
    assert described == routes == set(OPERATIONS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("label", OPERATIONS)
def test_every_operation_matches_the_description(api_schema, record_property, label, mode):
    """Each case counts in the run's closing line (tests/conftest.py: RESULT api schema)."""
    operation = api_schema[label.split()[1]]["GET"]
    tally = {"cases": 0}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case):
        tally["cases"] += 1
        # In process, the body as the app wrote it: a real client undoes the compression.
        case.call_and_validate(headers={"Accept-Encoding": "identity"})

    try:
        check()
    finally:
        record_property("api_schema_cases", tally["cases"])
