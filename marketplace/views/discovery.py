"""For crawlers: /sitemap.xml (an index of several files past the protocol's limit) and
/robots.txt."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, stream_template

from ..search.schema import FACETS
from ..services import sitemap
from ..services.records import absolute_url

bp = Blueprint("discovery", __name__)

# Kept out of search engines: signing in and accounts, the publishers' and curators' areas,
# the forms behind an entry (contact, report), suggestions and health checks.
PRIVATE = (
    "/my",
    "/curate",
    "/account",
    "/login",
    "/logout",
    "/reset",
    "/invite",
    "/language",
    "/solutions/*/contact",
    "/solutions/*/report",
    "/solutions/contact/",
    "/search/",
    "/healthz",
)


def _per_file() -> int:
    return min(int(current_app.config["SITEMAP_URLS"]), sitemap.PROTOCOL_LIMIT)


def _files(total: int) -> int:
    return -(-total // _per_file())  # rounded up


def _xml(template: str, **context) -> Response:
    return Response(stream_template(template, **context), mimetype="application/xml")


@bp.get("/sitemap.xml")
def sitemap_xml():
    """Every public address, or past SITEMAP_URLS an index of the files that hold them."""
    files = _files(sitemap.count())
    if files > 1:
        locations = [absolute_url("discovery.sitemap_file", number=n) for n in range(1, files + 1)]
        return _xml("discovery/sitemap_index.xml", locations=locations)
    return _xml("discovery/sitemap.xml", urls=sitemap.urls())


@bp.get("/sitemap-<id:number>.xml")
def sitemap_file(number: int):
    """One file of a sitemap index (there is none while one file holds every address)."""
    files = _files(sitemap.count())
    if files < 2 or not 1 <= number <= files:
        abort(404)
    per_file = _per_file()
    return _xml("discovery/sitemap.xml", urls=sitemap.urls((number - 1) * per_file, per_file))


@bp.get("/robots.txt")
def robots_txt():
    # Faceted search results: Google and Bing read * as any characters ("?" is literal).
    faceted = [f"/solutions?*{facet}=" for facet in FACETS]
    text = render_template(
        "discovery/robots.txt",
        disallowed=[*PRIVATE, *faceted],
        sitemap=absolute_url("discovery.sitemap_xml"),
    )
    return Response(text, mimetype="text/plain")
