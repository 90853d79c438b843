"""Cross-origin reading of open data (the API, the downloads): GET from any origin without
credentials (no Access-Control-Allow-Credentials: scripts of other sites read only what anyone
would get, never what a visitor's cookies would show)."""

from __future__ import annotations

from flask import Response, request

# Preflight answers are cached by browsers for a day.
MAX_AGE = 86400
REQUEST_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"


def allow_reading(response: Response, expose: str = "ETag") -> Response:
    """``response`` readable by scripts of any site; a preflight (OPTIONS) answered for GET.

    ``expose``: the headers beyond the CORS-safelisted ones that scripts may read.
    """
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = expose
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = REQUEST_HEADERS
        response.headers["Access-Control-Max-Age"] = str(MAX_AGE)
    return response
