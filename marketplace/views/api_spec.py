"""The OpenAPI 3.1 description of the API, written here and checked against its answers."""

from __future__ import annotations

from typing import Any

from .. import i18n
from ..search import SORTS
from ..search.schema import FACETS
from .paging import MAX_PAGE
from .search_args import MAX_PER_PAGE

VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> dict:
    return {"type": [kind, "null"], **extra}


URL = {"type": "string", "format": "uri"}
DATE = _nullable("string", format="date-time")
TEXT = {"type": "string"}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
    }


def _term(extra: dict | None = None, key: str = "slug") -> dict:
    key_schema = {"type": "integer"} if key == "number" else TEXT
    return _object({key: key_schema, "name": TEXT, "label": TEXT, "url": URL, **(extra or {})})


COUNT = {"type": "integer", "minimum": 0}
TEXTS = {
    "title": TEXT,
    "summary": TEXT,
    **dict.fromkeys(("description", "impact", "lessons"), TEXT),
    **{f"{name}_html": TEXT for name in ("description", "impact", "lessons")},
}
CITY_REF = _object({"slug": TEXT, "name": TEXT, "country": TEXT, "url": URL, "api_url": URL})
SOLUTION_REF = _object({"slug": TEXT, "title": TEXT, "language": TEXT, "url": URL, "api_url": URL})

SCHEMAS: dict[str, Any] = {
    "Error": _object({"error": TEXT, "status": {"type": "integer"}, "message": TEXT}, ["error"]),
    "Links": _object({"self": URL, "next": _nullable("string"), "prev": _nullable("string")}),
    "CityRef": CITY_REF,
    "SolutionRef": SOLUTION_REF,
    "TrackRef": _term({"edition": TEXT}),
    "ChallengeRef": _term({"track": TEXT}),
    "ServiceRef": _term(),
    "SdgRef": _term(key="number"),
    "Track": {
        "allOf": [
            _ref("TrackRef"),
            _object(
                {
                    "description": TEXT,
                    "published_solutions": COUNT,
                    "challenges": {"type": "array", "items": _ref("Challenge")},
                }
            ),
        ]
    },
    "Challenge": {
        "allOf": [_ref("ChallengeRef"), _object({"published_solutions": COUNT})],
    },
    "Service": {
        "allOf": [_ref("ServiceRef"), _object({"description": TEXT, "published_solutions": COUNT})]
    },
    "Sdg": {"allOf": [_ref("SdgRef"), _object({"published_solutions": COUNT})]},
    "CitySummary": {
        "allOf": [_ref("CityRef"), _object({"role": TEXT, "published_solutions": COUNT})]
    },
    "City": {
        "allOf": [
            _ref("CityRef"),
            _object(
                {
                    "role": TEXT,
                    "population": _nullable("integer"),
                    "website": _nullable("string"),
                    "profile": TEXT,
                    "profile_html": TEXT,
                    "sample": {"type": "boolean"},
                    "created_at": DATE,
                    "solutions": {"type": "array", "items": _ref("SolutionRef")},
                    "adopted": {"type": "array", "items": _ref("SolutionRef")},
                }
            ),
        ]
    },
    "Translation": _object({"language": TEXT, **TEXTS}),
    "Solution": _object(
        {
            "slug": TEXT,
            "url": URL,
            "api_url": URL,
            "kind": TEXT,
            "language": TEXT,
            **TEXTS,
            "translations": {"type": "array", "items": _ref("Translation")},
            "city": _ref("CityRef"),
            "used_by": {
                "type": "array",
                "items": _object({"city": _ref("CityRef"), "note": TEXT, "since": DATE}),
            },
            "tracks": {"type": "array", "items": _ref("TrackRef")},
            "challenges": {"type": "array", "items": _ref("ChallengeRef")},
            "services": {"type": "array", "items": _ref("ServiceRef")},
            "sdgs": {"type": "array", "items": _ref("SdgRef")},
            "maturity": TEXT,
            "cost_band": _nullable("string"),
            "funding_model": _nullable("string"),
            "licence": _nullable("string"),
            "provider": _nullable("string"),
            "website": _nullable("string"),
            "languages": {"type": "array", "items": TEXT},
            "contact": {
                "oneOf": [
                    {"type": "null"},
                    _object({"name": _nullable("string"), "email": _nullable("string")}),
                ]
            },
            "image": {
                "oneOf": [{"type": "null"}, _object({"url": URL, "alt": TEXT})],
            },
            "featured": {"type": "boolean"},
            "sample": {"type": "boolean"},
            "created_at": DATE,
            "published_at": DATE,
            "updated_at": DATE,
        }
    ),
    "SearchResult": _object(
        {
            "slug": TEXT,
            "title": TEXT,
            "summary": TEXT,
            "language": TEXT,
            "original_language": TEXT,
            "city": TEXT,
            "kind": TEXT,
            "maturity": TEXT,
            "tracks": {"type": "array", "items": TEXT},
            "challenges": {"type": "array", "items": TEXT},
            "url": URL,
            "api_url": URL,
            "score": _nullable("number"),
            "highlight": _nullable("string"),
            "why": {"type": "array", "items": TEXT},
        }
    ),
    "FacetValue": _object(
        {"value": TEXT, "label": TEXT, "count": COUNT, "selected": {"type": "boolean"}}
    ),
}


def _list_schema(item: str) -> dict:
    return _object(
        {
            "total": COUNT,
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "links": _ref("Links"),
            "results": {"type": "array", "items": _ref(item)},
        }
    )


for _name in ("CitySummary", "Track", "Challenge", "Service", "Sdg"):
    SCHEMAS[f"{_name}List"] = _list_schema(_name)
SCHEMAS["SearchPage"] = {
    "allOf": [
        _list_schema("SearchResult"),
        _object(
            {
                "facets": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": _ref("FacetValue")},
                },
                "suggestion": _nullable("string"),
                "corrected_from": _nullable("string"),
                "corrected": _nullable("string"),
            }
        ),
    ]
}

PARAMETERS = {
    "lang": {
        "name": "lang",
        "in": "query",
        "description": "Language of taxonomy labels (and of the versions search shows); "
        "without it, the request's Accept-Language.",
        "schema": {"type": "string", "enum": list(i18n.LANGUAGES)},
    },
    "page": {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    },
    "per_page": {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    },
    "slug": {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
}


def _json(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


ERRORS = {
    "400": _json("Error", "A parameter is not allowed; the message says which."),
    "304": {"description": "Not modified since the ETag or date the request sent."},
}
NOT_FOUND = {
    "404": _json("Error", "No published record has this address."),
    "301": {"description": "Renamed or merged: Location is the record's address now."},
}


def _get(summary: str, schema: str, parameters: list[str], extra: dict | None = None) -> dict:
    return {
        "get": {
            "summary": summary,
            "operationId": summary.lower().replace(" ", "_").replace(",", ""),
            "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in parameters],
            "responses": {"200": _json(schema, summary), **ERRORS, **(extra or {})},
        }
    }


def _search_parameters() -> list[dict]:
    text = [
        {"name": "q", "in": "query", "description": "Words to search for.", "schema": TEXT},
        {
            "name": "sort",
            "in": "query",
            "description": "Empty: by relevance when there are words, else newest first.",
            "schema": {"type": "string", "enum": ["", *SORTS]},
        },
        {
            "name": "exact",
            "in": "query",
            "description": "1: search what was typed, without spelling correction "
            "(any other value: correct it).",
            "schema": {"type": "string"},
        },
    ]
    facets = [
        {
            "name": facet,
            "in": "query",
            "description": f"Only entries with one of these {facet} values.",
            "schema": {"type": "array", "items": TEXT},
            "style": "form",
            "explode": True,
        }
        for facet in FACETS
    ]
    return text + facets


def document(base_url: str) -> dict:
    """The OpenAPI document, with the server at ``base_url``."""
    search = _get("Search solutions", "SearchPage", ["lang", "page", "per_page"])
    search["get"]["parameters"] += _search_parameters()
    search["get"]["responses"]["503"] = _json("Error", "The search index is being built.")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tech4Good Marketplace API",
            "version": VERSION,
            "description": "Read-only open data of the published catalogue: solutions and best "
            "practices of the Intelligent Cities Challenge cities. Only published entries "
            "appear. GET from any origin (CORS, no credentials); ETag and Last-Modified with "
            "304 answers. Dates are ISO 8601 in UTC, links absolute.",
            "license": {"name": "Entries carry their own licence (field licence)"},
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/api/v1/solutions": search,
            "/api/v1/solutions/{slug}": _get(
                "Get a solution", "Solution", ["slug", "lang"], NOT_FOUND
            ),
            "/api/v1/cities": _get("List cities", "CitySummaryList", ["lang", "page", "per_page"]),
            "/api/v1/cities/{slug}": _get("Get a city", "City", ["slug", "lang"], NOT_FOUND),
            "/api/v1/tracks": _get("List tracks", "TrackList", ["lang", "page", "per_page"]),
            "/api/v1/challenges": _get(
                "List challenges", "ChallengeList", ["lang", "page", "per_page"]
            ),
            "/api/v1/services": _get(
                "List transversal services", "ServiceList", ["lang", "page", "per_page"]
            ),
            "/api/v1/sdgs": _get("List SDGs", "SdgList", ["lang", "page", "per_page"]),
        },
        "components": {"schemas": SCHEMAS, "parameters": PARAMETERS},
    }


def examples() -> list[dict]:
    """The endpoints the /api page explains: path, example query and a short example answer."""
    return [
        {
            "path": "/api/v1/solutions",
            "query": "?q=energy&track=green-economy&per_page=2",
            "answer": '{"total": 4, "page": 1, "per_page": 2, "links": {"next": "…"},\n'
            ' "results": [{"slug": "…", "title": "…", "url": "…"}], "facets": {…}}',
        },
        {
            "path": "/api/v1/solutions/<slug>",
            "query": "?lang=fr",
            "answer": '{"slug": "…", "title": "…", "language": "es", "description": "…",\n'
            ' "description_html": "<p>…</p>", "translations": [{"language": "en", …}],\n'
            ' "city": {…}, "used_by": [{"city": {…}, "note": "…"}],\n'
            ' "tracks": [{"slug": "…", "label": "…"}], "published_at": "2025-01-01T00:00:00Z"}',
        },
        {
            "path": "/api/v1/cities",
            "query": "",
            "answer": '{"total": 12, "results": [{"slug": "…", "name": "…", "country": "PT",\n'
            ' "published_solutions": 3}]}',
        },
        {
            "path": "/api/v1/cities/<slug>",
            "query": "",
            "answer": '{"slug": "…", "name": "…", "profile_html": "…",\n'
            ' "solutions": [{"slug": "…", "api_url": "…"}], "adopted": […]}',
        },
        {
            "path": "/api/v1/tracks",
            "query": "?lang=de",
            "answer": '{"results": [{"slug": "…", "label": "…", "challenges": […]}]}',
        },
        {
            "path": "/api/v1/challenges",
            "query": "",
            "answer": '{"results": [{"slug": "…", "track": "…", "published_solutions": 2}]}',
        },
        {
            "path": "/api/v1/services",
            "query": "",
            "answer": '{"results": [{"slug": "…", "label": "…", "description": "…"}]}',
        },
        {
            "path": "/api/v1/sdgs",
            "query": "?lang=pt",
            "answer": '{"results": [{"number": 7, "label": "…", "published_solutions": 5}]}',
        },
    ]
