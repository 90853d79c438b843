"""The DCAT-AP catalogue (/catalog.ttl, /catalog.jsonld) read with rdflib as a harvester reads it:
published entries only, the properties DCAT-AP requires, CORS and revalidation."""

from datetime import UTC, datetime

import pytest
from page_reader import main, parse, section
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from marketplace.extensions import db
from marketplace.models import SolutionTranslation
from marketplace.services import dcat
from marketplace.vocab import Status

BASE = "https://data.example/market"
ADMS = Namespace("http://www.w3.org/ns/adms#")
CATALOG = URIRef(f"{BASE}/#catalog")
TITLE = 'Low-emission zone </script> "cameras" & congestion'
# rdflib 7.x's own JSON-LD parser still builds a ConjunctiveGraph, which rdflib itself deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def dataset(slug: str) -> URIRef:
    return URIRef(f"{BASE}/solutions/{slug}#dataset")


@pytest.fixture
def catalogue(app, make_solution, make_city, taxonomy):
    app.config["BASE_URL"] = BASE
    porto = make_city(slug="porto", name="Porto", country="PT")
    roofs = make_solution(
        slug="solar-roofs",
        title="Solar roofs",
        summary="Panels on every school.",
        language="en",
        licence="EUPL-1.2",
        city=porto,
        challenges=[taxonomy["challenges"]["retrofit"]],
        services=[taxonomy["service"]],
        published_at=datetime(2025, 3, 1, tzinfo=UTC),
    )
    roofs.translations = [SolutionTranslation(language="pt", title="Telhados solares")]
    make_solution(slug="zone", title=TITLE, kind="best_practice", city=porto)
    make_solution(slug="hidden", title="Draft words", status=Status.DRAFT)
    make_solution(slug="old", title="Archived words", status=Status.ARCHIVED)
    make_solution(slug="waiting", title="Submitted words", status=Status.SUBMITTED)
    db.session.commit()


def _read(client, url: str, mimetype: str, form: str) -> Graph:
    with client.get(url) as response:  # closes the cached file sent
        assert response.status_code == 200
        assert response.mimetype == mimetype
        return Graph().parse(data=response.get_data(as_text=True), format=form)


def _text(client, url: str, **headers) -> str:
    with client.get(url, headers=headers) as response:
        return response.get_data(as_text=True)


@pytest.fixture(params=[("/catalog.ttl", "text/turtle", "turtle"),
                        ("/catalog.jsonld", "application/ld+json", "json-ld")])  # fmt: skip
def read(request, client, catalogue):
    url, mimetype, form = request.param
    return _read(client, url, mimetype, form)


def test_every_published_entry_is_a_dataset_of_the_catalogue(read):
    datasets = set(read.subjects(RDF.type, DCAT.Dataset))

    assert datasets == {dataset("solar-roofs"), dataset("zone")}
    assert set(read.objects(CATALOG, DCAT.dataset)) == datasets
    # Only a solution is an asset (Joinup); a best practice is a dataset only.
    assert set(read.subjects(RDF.type, ADMS.Asset)) == {dataset("solar-roofs")}


def test_no_unpublished_entry_is_in_the_catalogue(client, catalogue):
    for url in ("/catalog.ttl", "/catalog.jsonld"):
        text = _text(client, url)
        for word in ("hidden", "old", "waiting", "Draft words", "Archived", "Submitted"):
            assert word not in text, (url, word)


def test_the_catalogue_has_the_properties_dcat_ap_requires(read):
    assert (CATALOG, RDF.type, DCAT.Catalog) in read
    for predicate in (
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.publisher,
        FOAF.homepage,
        DCTERMS.language,
        DCTERMS.license,
        DCTERMS.issued,
        DCTERMS.modified,
    ):
        assert read.value(CATALOG, predicate) is not None, predicate
    publisher = read.value(CATALOG, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in read
    assert read.value(CATALOG, FOAF.homepage) == URIRef(f"{BASE}/")
    licence = URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert read.value(CATALOG, DCTERMS.license) == licence
    assert read.value(CATALOG, DCTERMS.issued).datatype == XSD.dateTime
    english = URIRef("http://publications.europa.eu/resource/authority/language/ENG")
    assert english in set(read.objects(CATALOG, DCTERMS.language))


def test_an_entry_is_described_with_its_themes_place_publisher_and_record(read):
    roofs = dataset("solar-roofs")
    titles = set(read.objects(roofs, DCTERMS.title))
    assert {Literal("Solar roofs", lang="en"), Literal("Telhados solares", lang="pt")} <= titles
    assert read.value(roofs, DCTERMS.description) == Literal("Panels on every school.", lang="en")
    assert set(read.objects(roofs, DCAT.keyword)) == {Literal("Open data platforms", lang="en")}
    themes = set(read.objects(roofs, DCAT.theme))
    assert themes == {URIRef(f"{BASE}/tracks/green"), URIRef(f"{BASE}/challenges/retrofit")}
    for theme in themes:
        assert (theme, RDF.type, SKOS.Concept) in read
        assert read.value(theme, SKOS.prefLabel) is not None
        assert (read.value(theme, SKOS.inScheme), RDF.type, SKOS.ConceptScheme) in read
    place = read.value(roofs, DCTERMS.spatial)
    assert place == URIRef(f"{BASE}/cities/porto")
    assert read.value(place, SKOS.prefLabel) == Literal("Porto")
    publisher = read.value(roofs, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in read
    assert read.value(publisher, FOAF.name) == Literal("Porto")
    assert read.value(roofs, DCAT.landingPage) == URIRef(f"{BASE}/solutions/solar-roofs")
    issued = read.value(roofs, DCTERMS.issued)
    assert issued.datatype == XSD.dateTime
    assert issued.toPython() == datetime(2025, 3, 1, tzinfo=UTC)
    assert read.value(roofs, DCTERMS.modified).datatype == XSD.dateTime

    distribution = read.value(roofs, DCAT.distribution)
    assert (distribution, RDF.type, DCAT.Distribution) in read
    api = URIRef(f"{BASE}/api/v1/solutions/solar-roofs")
    assert read.value(distribution, DCAT.accessURL) == api
    assert read.value(distribution, DCTERMS["format"]) is not None
    spdx = URIRef("https://spdx.org/licenses/EUPL-1.2.html")
    assert read.value(distribution, DCTERMS.license) == spdx


def test_a_title_with_markup_and_quotes_stays_one_literal(read):
    [title] = read.objects(dataset("zone"), DCTERMS.title)
    assert str(title) == TITLE


def test_the_api_record_the_distribution_names_exists(client, catalogue):
    graph = _read(client, "/catalog.ttl", "text/turtle", "turtle")
    for distribution in graph.subjects(RDF.type, DCAT.Distribution):
        url = str(graph.value(distribution, DCAT.accessURL)).removeprefix(BASE)
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/catalog.ttl", "/catalog.jsonld"])
def test_read_from_anywhere_and_revalidated(client, catalogue, url):
    with client.get(url, headers={"Origin": "https://harvester.example"}) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        etag = response.headers["ETag"]
        assert response.headers["Last-Modified"]

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    preflight = client.options(url, headers={"Origin": "https://harvester.example"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


def test_an_empty_catalogue_is_still_a_catalogue(app, client, ctx):
    app.config["BASE_URL"] = BASE
    graph = _read(client, "/catalog.ttl", "text/turtle", "turtle")
    assert (CATALOG, RDF.type, DCAT.Catalog) in graph
    assert not set(graph.subjects(RDF.type, DCAT.Dataset))


def test_both_formats_hold_the_same_triples(client, catalogue):
    turtle = _read(client, "/catalog.ttl", "text/turtle", "turtle")
    jsonld = _read(client, "/catalog.jsonld", "application/ld+json", "json-ld")
    assert len(turtle) > 50
    assert isomorphic(turtle, jsonld)


def test_the_catalogue_is_built_once_per_change(client, catalogue, make_solution, monkeypatch):
    first = _text(client, "/catalog.ttl")
    built = []
    original = dcat.turtle_lines
    monkeypatch.setattr(dcat, "turtle_lines", lambda: built.append(1) or original())
    assert _text(client, "/catalog.ttl") == first  # from the cache: nothing built
    assert built == []
    make_solution(slug="newly-out", title="Fresh words", status=Status.PUBLISHED)
    db.session.commit()
    assert "Fresh words" in _text(client, "/catalog.ttl")
    assert built == [1]


# --- Discovery: where a harvester or crawler finds the catalogue ---------------------------------


@pytest.mark.parametrize("page", ["/", "/data/"])
def test_the_home_and_data_pages_announce_the_catalogue_in_their_head(client, catalogue, page):
    head = parse(client.get(page)).find("head")
    announced = {
        link["type"]: link["href"]
        for link in head.find_all("link", rel="alternate")
        if "type" in link.attrs
    }

    assert announced["text/turtle"] == "/catalog.ttl"
    assert announced["application/ld+json"] == "/catalog.jsonld"
    _read(client, announced["text/turtle"], "text/turtle", "turtle")
    _read(client, announced["application/ld+json"], "application/ld+json", "json-ld")


def test_the_data_page_links_the_catalogue_and_says_who_reads_it(client, catalogue):
    dcat_section = section(main(client.get("/data/")), "For data portals")
    hrefs = [link["href"] for link in dcat_section.find_all("a")]

    assert hrefs == ["/catalog.ttl", "/catalog.jsonld"]
    assert "data.europa.eu" in dcat_section.text
    assert "Joinup" in dcat_section.text


def test_the_data_page_explains_the_catalogue_in_the_readers_language(client, catalogue):
    text = main(client.get("/data/?lang=de")).text

    assert "Katalog" in text
    assert "For data portals" not in text
