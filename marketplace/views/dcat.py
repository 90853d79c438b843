"""The DCAT-AP catalogue for harvesters (data.europa.eu, Joinup): /catalog.ttl, /catalog.jsonld."""

from __future__ import annotations

from flask import Blueprint, Response, request, send_file

from ..services import dcat
from .open_reads import open_read

bp = Blueprint("dcat", __name__)

MIMETYPES = (dcat.TURTLE, dcat.JSONLD)


@bp.after_request
def open_and_conditional(response: Response) -> Response:
    """Read from anywhere, like the API and the feeds, and revalidated with ETag/Last-Modified."""
    return open_read(response, MIMETYPES)


def _catalogue(form: str) -> Response:
    """The catalogue in ``form`` from the cache, or a 304 before anything is built."""
    tag = dcat.version(form)
    if request.if_none_match.contains_weak(tag):
        response = Response(status=304)
    else:
        response = send_file(dcat.cached(form, tag), mimetype=form, etag=False, max_age=None)
    response.set_etag(tag, weak=True)
    return response


@bp.get("/catalog.ttl")
def turtle():
    """Every published entry as a DCAT-AP dataset, in Turtle."""
    return _catalogue(dcat.TURTLE)


@bp.get("/catalog.jsonld")
def jsonld():
    """The same catalogue as JSON-LD."""
    return _catalogue(dcat.JSONLD)
