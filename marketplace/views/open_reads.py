"""Public reads any site may fetch (CORS, no credentials) and revalidate (ETag, 304).

The API, the feeds and the DCAT-AP catalogue answer the same way: ``Access-Control-Allow-Origin:
*`` on GET, HEAD and their preflight, a weak ETag and a Last-Modified on successful reads, and
304 to a request that already holds the current version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection

from flask import Response, request

from ..services import records

# Preflight answers are cached by browsers for a day.
CORS_MAX_AGE = 86400
CORS_REQUEST_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"


def allow_reading(response: Response, expose: str = "ETag") -> Response:
    """``response`` readable by scripts of any site, without credentials (they read only what
    anyone would get, never what a visitor's cookies would show); a preflight (OPTIONS)
    answered for GET. ``expose``: headers beyond the CORS-safelisted ones scripts may read."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = expose
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
        response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE)
    return response


def open_read(response: Response, mimetypes: Collection[str]) -> Response:
    """CORS on a public read; ETag, Last-Modified and a 304 when it is one of ``mimetypes``.

    A response that brings its own ETag (a streamed one, whose body is not read here) keeps it;
    otherwise the tag is a hash of the body.
    """
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return response
    allow_reading(response)
    if request.method == "OPTIONS":
        return response
    response.vary.add("Accept-Language")  # taxonomy labels, titles and search follow it
    if response.status_code != 200 or response.mimetype not in mimetypes:
        return response
    if "ETag" not in response.headers:
        # Weak: the compressed and plain bodies are the same resource (compression keeps weak
        # tags).
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32], weak=True)
    if response.last_modified is None:
        response.last_modified = records.changed_at()
    response.cache_control.no_cache = True  # reuse only after asking (a 304 is cheap)
    return response.make_conditional(request)
