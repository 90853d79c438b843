"""Feeds for readers and harvesters: Atom feeds of searches (the DCAT-AP catalogue: dcat.py)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from .. import search
from ..services import feeds
from .open_reads import open_read
from .search_args import index_missing, search_request

bp = Blueprint("feeds", __name__)

MIMETYPES = (feeds.ATOM,)


@bp.errorhandler(search.NoIndex)
def search_unavailable(_error: search.NoIndex):
    message = "Search is being prepared: try again in a minute."
    return Response(message, 503, index_missing(), mimetype="text/plain")


@bp.after_request
def open_and_conditional(response: Response) -> Response:
    """Feeds are read from anywhere, like the API, and revalidated with ETag/Last-Modified."""
    return open_read(response, MIMETYPES)


@bp.get("/solutions.atom")
def solutions():
    """The search page's search (same parameters) as an Atom feed, newest first."""
    body = feeds.search_feed(search_request(request.args))
    return Response(body, mimetype=feeds.ATOM)
