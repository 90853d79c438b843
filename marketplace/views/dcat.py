"""The DCAT-AP catalogue for harvesters (data.europa.eu, Joinup): /catalog.ttl, /catalog.jsonld."""

from __future__ import annotations

from flask import Blueprint, Response

from ..services import dcat
from .open_reads import open_read

bp = Blueprint("dcat", __name__)

MIMETYPES = (dcat.TURTLE, dcat.JSONLD)


@bp.after_request
def open_and_conditional(response: Response) -> Response:
    """Read from anywhere, like the API and the feeds, and revalidated with ETag/Last-Modified."""
    return open_read(response, MIMETYPES)


@bp.get("/catalog.ttl")
def turtle():
    """Every published entry as a DCAT-AP dataset, in Turtle."""
    return Response(dcat.turtle(), mimetype=dcat.TURTLE)


@bp.get("/catalog.jsonld")
def jsonld():
    """The same catalogue as JSON-LD."""
    return Response(dcat.jsonld(), mimetype=dcat.JSONLD)
