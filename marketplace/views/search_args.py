"""Reading a search from the query string: the same parameters for the page and the API."""

from __future__ import annotations

import logging

from flask import current_app, request
from werkzeug.datastructures import MultiDict

from ..search import SORTS, SearchRequest
from ..search.schema import FACETS
from .paging import MAX_PAGE

MAX_PER_PAGE = 100
MAX_VALUES = 50  # per facet: more is no real selection
MAX_VALUE_CHARS = 100
# Seconds the page and the API ask a client to wait while there is no index yet: the demo
# catalogue's rebuild takes seconds, one of 100,000 entries a few minutes.
RETRY_AFTER = 60

log = logging.getLogger(__name__)


class InvalidSearch(ValueError):
    """A parameter the API refuses; the message names it and says what is allowed."""


def index_missing() -> dict[str, str]:
    """Log a search asked for before any index was built; the headers of the 503 answer."""
    log.warning(
        "no search index yet: %s answered 503 until `flask --app marketplace search rebuild`",
        request.path,
    )
    return {"Retry-After": str(RETRY_AFTER)}


def _number(args: MultiDict, name: str, default: int, upper: int, strict: bool) -> int:
    raw = args.get(name)
    if raw is None or (raw == "" and not strict):
        return default
    # The API takes plain digits only (int() would also read " 5", "+5" and "1_0").
    value = int(raw) if raw.isascii() and raw.isdigit() else None
    if value is None or not 1 <= value <= upper:
        if strict:
            raise InvalidSearch(f"{name} must be a whole number from 1 to {upper}.")
        return default
    return value


def search_request(args: MultiDict, strict: bool = False) -> SearchRequest:
    """The search the query string asks for.

    The HTML page reads leniently (a bad page number shows page 1); the API is ``strict``.

    :raises InvalidSearch: when ``strict`` and page, per_page or sort is not allowed.
    """
    sort = args.get("sort") or ""
    if sort and sort not in SORTS:
        if strict:
            raise InvalidSearch(f"sort must be one of: {', '.join(SORTS)}.")
        sort = ""
    text = args.get("q", "")
    filters = {}
    for name in FACETS:
        values = [v[:MAX_VALUE_CHARS] for v in args.getlist(name) if v.strip()]
        if values:
            filters[name] = tuple(dict.fromkeys(values))[:MAX_VALUES]
    return SearchRequest(
        text=text,
        filters=filters,
        sort=sort or "relevance",  # the request itself applies newest when nothing ranks
        page=_number(args, "page", 1, MAX_PAGE, strict),
        per_page=_number(args, "per_page", current_app.config["PER_PAGE"], MAX_PER_PAGE, strict),
        exact=args.get("exact") == "1",  # "search instead for" what was typed: no correction
    )
