"""schema.org JSON-LD on entry and city pages: parsed to triples with rdflib, real schema.org
terms only, published data only, and no way out of its script element."""

import json
from datetime import UTC, datetime

import pytest
from page_reader import parse
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SDO
from support import sign_in

from marketplace.extensions import db
from marketplace.models import Adoption, SolutionRevision, SolutionTranslation

BASE = "https://data.example/market"
# No network at test time: the schema.org context, as far as these documents need it.
LOCAL_CONTEXT = {"@vocab": "https://schema.org/"}
ENTRY = URIRef(f"{BASE}/solutions/solar-roofs")
# rdflib 7.x's own JSON-LD parser still builds a ConjunctiveGraph, which rdflib itself deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@pytest.fixture
def site(app):
    app.config["BASE_URL"] = BASE
    return app.test_client()


@pytest.fixture
def entry(make_solution, make_city, taxonomy, porto):
    taxonomy["tracks"][0].labels = {"fr": "Économie verte"}
    solution = make_solution(
        slug="solar-roofs",
        title="Solar roofs",
        summary="Panels on every school.",
        language="en",
        licence="EUPL-1.2",
        provider="Sun Co",
        city=porto,
        services=[taxonomy["service"]],
        sdgs=[taxonomy["sdgs"][0]],
        created_at=datetime(2024, 12, 1, tzinfo=UTC),
        content_updated_at=datetime(2025, 2, 3, 4, 5, 6, tzinfo=UTC),
    )
    solution.translations = [
        SolutionTranslation(language="fr", title="Toits solaires", summary="Des panneaux.")
    ]
    solution.adoptions = [Adoption(city=make_city(slug="braga", name="Braga"))]
    db.session.commit()
    return solution


def blocks(response) -> list[dict]:
    """The JSON-LD data blocks of a page, decoded."""
    found = parse(response).find_all("script", type="application/ld+json")
    return [json.loads(block.text) for block in found]


def triples(data: dict) -> Graph:
    """``data`` parsed as JSON-LD by rdflib, against the local schema.org context."""
    return Graph().parse(data=json.dumps({**data, "@context": LOCAL_CONTEXT}), format="json-ld")


def unknown_terms(graph: Graph) -> set:
    """Predicates and types of ``graph`` that schema.org does not define (rdflib's SDO terms)."""
    used = {p for _, p, _ in graph} - {RDF.type} | set(graph.objects(None, RDF.type))
    return {term for term in used if term not in SDO}


def test_an_entry_page_describes_the_entry_in_schema_org(site, entry):
    [data] = blocks(site.get("/solutions/solar-roofs"))
    assert data["@context"] == "https://schema.org"
    graph = triples(data)

    assert unknown_terms(graph) == set()
    assert (ENTRY, RDF.type, SDO.SoftwareApplication) in graph  # a solution under the EUPL
    assert graph.value(ENTRY, SDO.name) == Literal("Solar roofs")
    assert graph.value(ENTRY, SDO.description) == Literal("Panels on every school.")
    assert graph.value(ENTRY, SDO.url) == Literal(str(ENTRY))
    assert graph.value(ENTRY, SDO.inLanguage) == Literal("en")
    assert graph.value(ENTRY, SDO.dateCreated) == Literal("2024-12-01T00:00:00Z")
    assert graph.value(ENTRY, SDO.datePublished) == Literal("2025-01-01T00:00:00Z")
    assert graph.value(ENTRY, SDO.dateModified) == Literal("2025-02-03T04:05:06Z")
    assert graph.value(ENTRY, SDO.license) == Literal("https://spdx.org/licenses/EUPL-1.2.html")

    porto = URIRef(f"{BASE}/cities/porto#city")
    assert graph.value(ENTRY, SDO.locationCreated) == porto
    assert (porto, RDF.type, SDO.City) in graph
    assert graph.value(porto, SDO.name) == Literal("Porto")
    country = graph.value(porto, SDO.containedInPlace)
    assert (country, RDF.type, SDO.Country) in graph
    assert graph.value(country, SDO.identifier) == Literal("PT")
    assert set(graph.objects(ENTRY, SDO.spatialCoverage)) == {
        porto,
        URIRef(f"{BASE}/cities/braga#city"),
    }
    author = graph.value(ENTRY, SDO.author)
    assert (author, RDF.type, SDO.GovernmentOrganization) in graph
    assert graph.value(ENTRY, SDO.publisher) == author

    challenge = URIRef(f"{BASE}/challenges/retrofit")
    assert challenge in set(graph.objects(ENTRY, SDO.about))
    assert (challenge, RDF.type, SDO.DefinedTerm) in graph
    term_set = graph.value(challenge, SDO.inDefinedTermSet)
    assert (term_set, RDF.type, SDO.DefinedTermSet) in graph
    assert URIRef(f"{BASE}/tracks/green") in set(graph.objects(ENTRY, SDO.about))
    assert set(graph.objects(ENTRY, SDO.keywords)) == {
        Literal("Open data platforms"),
        Literal("Affordable and clean energy"),
    }
    [translation] = graph.objects(ENTRY, SDO.workTranslation)
    assert graph.value(translation, SDO.inLanguage) == Literal("fr")


def test_the_entry_is_described_in_the_version_the_page_shows(site, entry):
    [data] = blocks(site.get("/solutions/solar-roofs?lang=fr"))
    assert (data["name"], data["inLanguage"]) == ("Toits solaires", "fr")
    assert "Économie verte" in [term["name"] for term in data["about"]]


@pytest.mark.parametrize(
    ("kind", "licence", "expected"),
    [
        ("solution", "MIT", "SoftwareApplication"),
        ("solution", "CC-BY-4.0", "CreativeWork"),
        ("solution", "proprietary", "CreativeWork"),
        ("solution", "", "CreativeWork"),
        ("best_practice", "EUPL-1.2", "CreativeWork"),
    ],
)
def test_only_a_solution_under_a_software_licence_is_software(
    site, make_solution, kind, licence, expected
):
    make_solution(slug="thing", kind=kind, licence=licence)
    [data] = blocks(site.get("/solutions/thing"))
    assert data["@type"] == expected
    assert ("license" in data) == (licence not in ("", "proprietary"))


def test_a_title_cannot_close_the_script_element(site, make_solution):
    hostile = "</script><script>alert(1)</script> & <!-- more"
    make_solution(slug="hostile", title=hostile, summary=hostile)
    html = site.get("/solutions/hostile").get_data(as_text=True)

    data_block = html.split('<script type="application/ld+json">', 1)[1]
    assert data_block.index("</script>") > data_block.index("alert(1)")  # the block's own end
    assert "<script>alert(1)" not in html
    [data] = blocks(site.get("/solutions/hostile"))
    assert data["name"] == hostile  # escaped in the page, intact once parsed
    assert "\\u003c/script\\u003e" in data_block


def test_an_unpublished_entry_carries_no_linked_data(site, make_solution, publisher):
    make_solution(slug="draft", status="draft", city=publisher.city)
    sign_in(site, publisher)
    response = site.get("/solutions/draft")
    assert response.status_code == 200
    assert blocks(response) == []


def test_a_pending_revision_stays_out_of_the_linked_data(site, entry, publisher):
    db.session.add(
        SolutionRevision(solution_id=entry.id, data={"title": "Unapproved"}, status="submitted")
    )
    db.session.commit()
    sign_in(site, publisher)
    [data] = blocks(site.get("/solutions/solar-roofs"))
    assert data["name"] == "Solar roofs"
    assert "Unapproved" not in json.dumps(data)


def test_a_city_page_describes_the_city_and_its_published_entries(site, entry, make_solution):
    make_solution(slug="hidden", status="draft", city=entry.city)
    [data] = blocks(site.get("/cities/porto"))
    graph = triples(data)

    assert unknown_terms(graph) == set()
    porto = URIRef(f"{BASE}/cities/porto#city")
    assert (porto, RDF.type, SDO.City) in graph
    assert graph.value(porto, SDO.url) == Literal(f"{BASE}/cities/porto")
    country = graph.value(porto, SDO.containedInPlace)
    assert graph.value(country, SDO.name) == Literal("Portugal")
    assert set(graph.objects(porto, SDO.subjectOf)) == {ENTRY}


def test_the_demo_pages_parse_to_schema_org_terms(demo_client):
    for path in ("/solutions/terrassa-open-data-portal", "/cities/terrassa"):
        [data] = blocks(demo_client.get(path))
        graph = triples(data)
        assert len(graph) > 10
        assert unknown_terms(graph) == set()
