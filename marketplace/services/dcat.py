"""The DCAT-AP catalogue of the marketplace (Turtle and JSON-LD), built from the open-data records.

Each published entry is a ``dcat:Dataset`` (a *solution* also an ``adms:Asset``, as Joinup
harvests) whose one distribution is its API record; its tracks and challenges are
``skos:Concept``s of two concept schemes, its city the publisher (``foaf:Agent``) and the place
(``dct:Location``). Only published entries: the records come from exports.py's published ids.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from flask import current_app
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from .. import i18n, markup
from . import exports, records
from .linked_data import licence_url

TURTLE = "text/turtle"
JSONLD = "application/ld+json"
ADMS = Namespace("http://www.w3.org/ns/adms#")
NAME = "Tech4Good Marketplace"
DESCRIPTION = (
    "Technical solutions and best practices published by the cities of the EU Intelligent "
    "Cities Challenge, with the ICC thematic tracks and challenges they address."
)
# EU Publications Office authority tables, as DCAT-AP asks for languages and file types.
AUTHORITY = "http://publications.europa.eu/resource/authority/"
# ISO 639-1 codes of the EU's official languages, with their code in the language table.
EU_LANGUAGES = {
    "bg": "BUL", "cs": "CES", "da": "DAN", "de": "DEU", "el": "ELL", "en": "ENG", "es": "SPA",
    "et": "EST", "fi": "FIN", "fr": "FRA", "ga": "GLE", "hr": "HRV", "hu": "HUN", "it": "ITA",
    "lt": "LIT", "lv": "LAV", "mt": "MLT", "nl": "NLD", "pl": "POL", "pt": "POR", "ro": "RON",
    "sk": "SLK", "sl": "SLV", "sv": "SWE",
}  # fmt: skip
JSON_FORMAT = URIRef(AUTHORITY + "file-type/JSON")
JSON_MEDIA_TYPE = URIRef("https://www.iana.org/assignments/media-types/application/json")
PREFIXES = {
    "dcat": DCAT,
    "dct": DCTERMS,
    "foaf": FOAF,
    "skos": SKOS,
    "adms": ADMS,
    "xsd": XSD,
}


def _language(code: str | None) -> URIRef | None:
    found = EU_LANGUAGES.get((code or "").lower())
    return URIRef(f"{AUTHORITY}language/{found}") if found else None


def _when(value: str | None) -> Literal | None:
    return Literal(value, datatype=XSD.dateTime) if value else None


def _add(graph: Graph, subject, predicate, value) -> None:
    if value is not None and value != "":
        graph.add((subject, predicate, value))


def _agent(graph: Graph, url: str, name: str) -> URIRef:
    agent = URIRef(url + "#organization")
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(name)))
    graph.add((agent, FOAF.homepage, URIRef(url)))
    return agent


def _schemes(graph: Graph, catalog: URIRef) -> dict[str, URIRef]:
    base = records.absolute_url("taxonomy.tracks")
    schemes = {}
    for key, title in (("tracks", "ICC thematic tracks"), ("challenges", "ICC challenges")):
        scheme = URIRef(f"{base}#{key}")
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme, DCTERMS.title, Literal(title, lang=i18n.DEFAULT)))
        graph.add((catalog, DCAT.themeTaxonomy, scheme))
        schemes[key] = scheme
    return schemes


def _concept(graph: Graph, ref: dict, scheme: URIRef) -> URIRef:
    concept = URIRef(ref["url"])
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.prefLabel, Literal(ref["label"], lang=i18n.DEFAULT)))
    graph.add((concept, SKOS.inScheme, scheme))
    return concept


def _licence(graph: Graph, url: str) -> URIRef:
    licence = URIRef(url)
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    return licence


def _dataset(graph: Graph, record: dict, schemes: dict[str, URIRef], data_licence: str) -> URIRef:
    dataset = URIRef(record["url"] + "#dataset")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    if record["kind"] == "solution":
        graph.add((dataset, RDF.type, ADMS.Asset))
    for texts in (record, *record["translations"]):  # the original, then each translation
        language = texts["language"]
        if texts["title"]:
            graph.add((dataset, DCTERMS.title, Literal(texts["title"], lang=language)))
        summary = texts["summary"] or markup.plain_text(texts["description"])
        if summary:
            graph.add((dataset, DCTERMS.description, Literal(summary, lang=language)))
        _add(graph, dataset, DCTERMS.language, _language(language))
    for ref in record["services"] + record["sdgs"]:
        graph.add((dataset, DCAT.keyword, Literal(ref["label"], lang=i18n.DEFAULT)))
    for key in ("tracks", "challenges"):
        for ref in record[key]:
            graph.add((dataset, DCAT.theme, _concept(graph, ref, schemes[key])))
    city = record["city"]
    place = URIRef(city["url"])
    graph.add((place, RDF.type, DCTERMS.Location))
    graph.add((place, SKOS.prefLabel, Literal(city["name"])))
    graph.add((dataset, DCTERMS.spatial, place))
    graph.add((dataset, DCTERMS.publisher, _agent(graph, city["url"], city["name"])))
    graph.add((dataset, DCAT.landingPage, URIRef(record["url"])))
    _add(graph, dataset, DCTERMS.issued, _when(record["published_at"]))
    _add(graph, dataset, DCTERMS.modified, _when(record["updated_at"] or record["published_at"]))

    distribution = URIRef(record["url"] + "#record")
    graph.add((dataset, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCTERMS.title, Literal("API record (JSON)", lang=i18n.DEFAULT)))
    graph.add((distribution, DCAT.accessURL, URIRef(record["api_url"])))
    graph.add((distribution, DCAT.downloadURL, URIRef(record["api_url"])))
    graph.add((distribution, DCTERMS["format"], JSON_FORMAT))
    graph.add((distribution, DCAT.mediaType, JSON_MEDIA_TYPE))
    # The entry's own licence (SPDX) when it names one, else the licence of the catalogue's data.
    chosen = licence_url(record["licence"]) or data_licence
    graph.add((distribution, DCTERMS.license, _licence(graph, chosen)))
    return dataset


def _new_graph() -> Graph:
    found = Graph()
    for prefix, namespace in PREFIXES.items():
        found.bind(prefix, namespace)
    return found


def _pieces() -> Iterator[Graph]:
    """The catalogue in pieces: one graph per published entry (its dataset, the catalogue's link
    to it, the terms, city and licence it names), then the catalogue itself. Small graphs keep
    the Turtle serializer linear (one graph of 10,000 entries took 47 s)."""
    home = records.absolute_url("main.home")
    catalog = URIRef(home + "#catalog")
    data_licence = current_app.config["DATA_LICENCE_URL"]
    described = _new_graph()
    schemes = _schemes(described, catalog)
    issued = []
    for record in exports.solution_records(exports.published_ids(), i18n.DEFAULT, html=False):
        piece = _new_graph()
        piece.add((catalog, DCAT.dataset, _dataset(piece, record, schemes, data_licence)))
        if record["published_at"]:
            issued.append(record["published_at"])
        yield piece
    described.add((catalog, RDF.type, DCAT.Catalog))
    described.add((catalog, DCTERMS.title, Literal(NAME, lang=i18n.DEFAULT)))
    described.add((catalog, DCTERMS.description, Literal(DESCRIPTION, lang=i18n.DEFAULT)))
    described.add((catalog, DCTERMS.publisher, _agent(described, home, NAME)))
    described.add((catalog, FOAF.homepage, URIRef(home)))
    for language in i18n.LANGUAGES:
        _add(described, catalog, DCTERMS.language, _language(language))
    described.add((catalog, DCTERMS.license, _licence(described, data_licence)))
    first = min(issued, default=records.iso(records.EPOCH))
    described.add((catalog, DCTERMS.issued, _when(first)))
    described.add((catalog, DCTERMS.modified, _when(records.iso(records.changed_at()))))
    yield described


def graph() -> Graph:
    """The whole catalogue: every published entry, taxonomy labels in English."""
    found = _new_graph()
    for piece in _pieces():
        found += piece
    return found


def jsonld() -> str:
    context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    return graph().serialize(format="json-ld", context=context, auto_compact=True)


def _without_prefixes(text: str) -> str:
    """Turtle of a piece without the ``@prefix`` lines it starts with (written once, first)."""
    lines = text.split("\n")
    start = 0
    while start < len(lines) and (lines[start].startswith("@prefix ") or not lines[start]):
        start += 1
    return "\n".join(lines[start:])


def turtle_lines() -> Iterator[str]:
    """The catalogue as Turtle, piece by piece (a node may be described in several pieces, which
    Turtle allows): the body of /catalog.ttl and the dump's ``catalog.ttl``."""
    yield "".join(f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in PREFIXES.items())
    for piece in _pieces():
        yield "\n" + _without_prefixes(piece.serialize(format="turtle"))


def turtle() -> str:
    return "".join(turtle_lines())


EXTENSIONS = {TURTLE: "ttl", JSONLD: "jsonld"}
CACHE_FORMAT = "1"  # bump when the catalogue's shape changes: older cached files are not read


def version(form: str) -> str:
    """What the catalogue in ``form`` (TURTLE or JSONLD) is made of: the catalogue's last change,
    the base URL and the data licence, hashed: the cached file's name and its ETag, known before
    anything is built."""
    parts = (
        CACHE_FORMAT,
        form,
        records.changed_at().isoformat(),
        records.absolute_url("main.home"),
        current_app.config["DATA_LICENCE_URL"],
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def cached(form: str, tag: str) -> Path:
    """The catalogue in ``form`` at version ``tag``, built into the data dir's cache once (at
    10,000 entries a build takes 20-30 s): one process builds while the others wait for its
    file, and the files of older versions go."""
    folder = Path(current_app.config["DATA_DIR"]) / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    extension = EXTENSIONS[form]
    target = folder / f"catalog-{tag}.{extension}"
    if target.exists():
        return target
    with (folder / "catalog.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not target.exists():
                partial = folder / f".catalog-{tag}.{extension}.part"
                with partial.open("w", encoding="utf-8") as out:
                    for chunk in turtle_lines() if form == TURTLE else (jsonld(),):
                        out.write(chunk)
                os.replace(partial, target)
                for old in folder.glob(f"catalog-*.{extension}"):
                    if old != target:
                        old.unlink(missing_ok=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target
