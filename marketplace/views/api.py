"""The JSON API: the catalogue search and title suggestions, read-only and public."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from .. import search
from ..services import catalogue_search, versions
from .search_args import InvalidSearch, index_missing, search_request

bp = Blueprint("api", __name__)

SUGGEST_LIMIT = 8


@bp.errorhandler(InvalidSearch)
def invalid_search(error: InvalidSearch):
    return jsonify(error="invalid_parameter", message=str(error)), 400


@bp.errorhandler(search.NoIndex)
def search_unavailable(_error: search.NoIndex):
    message = "Search is being prepared: try again in a minute."
    return jsonify(error="search_unavailable", message=message), 503, index_missing()


def _result(result: catalogue_search.Result) -> dict:
    solution = result.solution
    return {
        "slug": solution.slug,
        # The version shown: in the language asked for (?lang= or Accept-Language) when the
        # city wrote one, else as it wrote it; ``original_language`` says which that is.
        "title": result.title or solution.title,
        "summary": result.summary or solution.summary,
        "language": result.language,
        "original_language": solution.language,
        "city": solution.city.name,
        "kind": solution.kind,
        "maturity": solution.maturity,
        "tracks": [track.slug for track in solution.tracks],
        "challenges": [challenge.slug for challenge in solution.challenges],
        "url": url_for("catalogue.detail", slug=solution.slug, _external=True),
        "score": result.score,
        "highlight": str(result.highlight) if result.highlight else None,
        # What connected it besides highlighted words ("About: ...", "Similar in meaning ...").
        "why": list(result.why),
    }


@bp.get("/api/v1/solutions")
def solutions():
    page = catalogue_search.search_catalogue(search_request(request.args, strict=True))
    return jsonify(
        total=page.total,
        page=page.request.page,
        per_page=page.request.per_page,
        results=[_result(result) for result in page.results],
        facets={
            facet.name: [
                {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                for v in facet.values
            ]
            for facet in page.facets
        },
        suggestion=page.suggestion,
        # What was typed, when it found nothing and ``corrected`` was searched instead
        # (``exact=1`` searches what was typed).
        corrected_from=page.corrected_from,
        corrected=page.corrected_to,
    )


@bp.get("/search/suggest")
def suggest():
    titles = search.suggest_titles(request.args.get("q", ""), limit=SUGGEST_LIMIT)
    # Titles match in every language version; each reads in the visitor's where there is one.
    translated = versions.titles([t["slug"] for t in titles])
    return jsonify(
        [
            {
                "title": translated.get(t["slug"], t["title"]),
                "url": url_for("catalogue.detail", slug=t["slug"]),
            }
            for t in titles
        ]
    )
