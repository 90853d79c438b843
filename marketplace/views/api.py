"""The JSON API (read-only, public, only published data) and its human guide at /api."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from .. import i18n, search
from ..services import catalogue_search, records, versions
from ..services.redirects import Moved
from . import api_spec, cors
from .paging import MAX_PAGE
from .search_args import MAX_PER_PAGE, InvalidSearch, index_missing, search_request

bp = Blueprint("api", __name__)

SUGGEST_LIMIT = 8
PREFIX = "/api/v1/"


@bp.errorhandler(InvalidSearch)
def invalid_search(error: InvalidSearch):
    return jsonify(error="invalid_parameter", message=str(error), status=400), 400


# The API address of what moved, by the page endpoint services name in Moved.
MOVED = {"catalogue.detail": "api.solution", "cities.detail": "api.city"}


@bp.errorhandler(Moved)
def moved(error: Moved):
    """A renamed or merged entry or city: 301 to its API record (not to its page)."""
    return redirect(url_for(MOVED[error.endpoint], **error.values), 301)


@bp.errorhandler(search.NoIndex)
def search_unavailable(_error: search.NoIndex):
    message = "Search is being prepared: try again in a minute."
    return jsonify(error="search_unavailable", message=message, status=503), 503, index_missing()


def _language() -> str:
    """The language of taxonomy labels: ``?lang=``, else the request's (Accept-Language)."""
    code = request.args.get("lang")
    if code is not None and code not in i18n.LANGUAGES:
        raise InvalidSearch(f"lang must be one of: {', '.join(i18n.LANGUAGES)}.")
    return code or i18n.current_language()


def _number(name: str, default: int, upper: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= upper:
        raise InvalidSearch(f"{name} must be a whole number from 1 to {upper}.")
    return int(raw)


def _links(endpoint: str, page: int, per_page: int, total: int, **values: Any) -> dict:
    """Absolute links to this page and its neighbours (None where there is none)."""
    kept = {k: v for k, v in request.args.lists() if k not in ("page", "per_page")}

    def link(number: int) -> str:
        return records.absolute_url(endpoint, **values, **kept, page=number, per_page=per_page)

    last = max(1, -(-total // per_page))
    return {
        "self": link(page),
        "next": link(page + 1) if page < last else None,
        "prev": link(min(page - 1, last)) if page > 1 else None,
    }


def _listing(items: list[dict], endpoint: str) -> Response:
    """``items`` paginated by ``page`` and ``per_page``, with the total and the links."""
    page = _number("page", 1, MAX_PAGE)
    per_page = _number("per_page", current_app.config["PER_PAGE"], MAX_PER_PAGE)
    start = (page - 1) * per_page
    return jsonify(
        total=len(items),
        page=page,
        per_page=per_page,
        links=_links(endpoint, page, per_page, len(items)),
        results=items[start : start + per_page],
    )


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
        "url": records.absolute_url("catalogue.detail", slug=solution.slug),
        "api_url": records.absolute_url("api.solution", slug=solution.slug),
        "score": result.score,
        "highlight": str(result.highlight) if result.highlight else None,
        # What connected it besides highlighted words ("About: ...", "Similar in meaning ...").
        "why": list(result.why),
    }


@bp.get("/api/v1/solutions")
def solutions():
    _language()
    page = catalogue_search.search_catalogue(search_request(request.args, strict=True))
    return jsonify(
        total=page.total,
        page=page.request.page,
        per_page=page.request.per_page,
        links=_links("api.solutions", page.request.page, page.request.per_page, page.total),
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


@bp.get("/api/v1/solutions/<slug>")
def solution(slug: str):
    return jsonify(records.solution(slug, _language()))


@bp.get("/api/v1/cities")
def cities():
    _language()
    return _listing(records.cities_list(), "api.cities")


@bp.get("/api/v1/cities/<slug>")
def city(slug: str):
    _language()
    return jsonify(records.city(slug))


@bp.get("/api/v1/tracks")
def tracks():
    return _listing(records.tracks(_language()), "api.tracks")


@bp.get("/api/v1/challenges")
def challenges():
    return _listing(records.challenges(_language()), "api.challenges")


@bp.get("/api/v1/services")
def services():
    return _listing(records.services(_language()), "api.services")


@bp.get("/api/v1/sdgs")
def sdgs():
    return _listing(records.sdgs(_language()), "api.sdgs")


@bp.get("/api/v1/openapi.json")
def openapi():
    return jsonify(api_spec.document(records.absolute_url("main.home").rstrip("/")))


@bp.get("/api")
def guide():
    return render_template("api/guide.html", examples=api_spec.examples())


@bp.after_app_request
def open_and_conditional(response: Response) -> Response:
    """CORS for reading the API from any origin (no credentials); ETag and Last-Modified with
    304 answers on its successful reads."""
    if not request.path.startswith(PREFIX) or request.method not in ("GET", "HEAD", "OPTIONS"):
        return response
    cors.allow_reading(response)
    if request.method == "OPTIONS":
        return response
    response.vary.add("Accept-Language")  # taxonomy labels and search follow it
    if response.status_code != 200 or response.mimetype != "application/json":
        return response
    # Weak: the compressed and plain bodies are the same resource (compression keeps weak tags).
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32], weak=True)
    response.last_modified = records.changed_at()
    response.cache_control.no_cache = True  # reuse only after asking (a 304 is cheap)
    return response.make_conditional(request)


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
