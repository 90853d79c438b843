"""What a page tells search engines and link previews: its canonical address, its language
alternates and its OpenGraph locales.

Addresses are built on MARKETPLACE_BASE_URL (records.absolute_url), as the sitemap's are, never
on the Host header of the request.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request

from . import i18n
from .search.schema import FACETS
from .services.records import absolute_url

# The query parameters that make a page's content (all others - sorting, page size, tracking
# such as utm_*, the shown version of an entry - are variants of the same page). ``page``: each
# page of a list is a page of its own (Google: do not point page 2 at page 1).
CONTENT_PARAMS = {"catalogue.index": ("q", *FACETS)}
PAGED = "page"
# OpenGraph writes a locale with its territory; the interface languages as read in Europe.
OG_LOCALES = {
    "en": "en_GB",
    "fr": "fr_FR",
    "de": "de_DE",
    "es": "es_ES",
    "it": "it_IT",
    "pt": "pt_PT",
}


def _address(language: str | None) -> str | None:
    """This page's address with its content parameters, in ``language`` if given; None where no
    route answered (a 404)."""
    if request.url_rule is None or request.endpoint is None:
        return None
    kept = (*CONTENT_PARAMS.get(request.endpoint, ()), PAGED)
    query = [
        (name, value)
        for name, value in request.args.items(multi=True)
        if name in kept and value.strip() and not (name == PAGED and value == "1")
    ]
    if language:
        query.append(("lang", language))
    url = absolute_url(request.endpoint, **(request.view_args or {}))
    return url + ("?" + urlencode(query) if query else "")


def canonical_url(language: str | None = None) -> str | None:
    """This page's address in ``language``, or as asked for: ``lang`` stays in the address only
    when a link chose it, so a shared search shows in each reader's own language."""
    return _address(language or i18n.explicit_language())


def default_url() -> str | None:
    """The address without a chosen language (hreflang="x-default"): in each reader's own."""
    return _address(None)


def og_locale() -> str:
    return OG_LOCALES.get(i18n.current_language(), "en_GB")


def og_alternate_locales() -> list[str]:
    return [OG_LOCALES[code] for code in i18n.LANGUAGES if code != i18n.current_language()]
