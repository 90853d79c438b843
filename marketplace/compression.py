"""Compressed responses (brotli, gzip), kept from cross-site requests to pages with secrets.

BREACH: a page that carries a secret (a CSRF token, a signed-in visitor's data) and reflects
text an attacker chooses leaks the secret through its compressed size, if the attacker can
make the victim's browser load it many times. Such loads are cross-site, and browsers say so
in ``Sec-Fetch-Site``; so a page with a secret is compressed only for ``same-origin`` and
``none`` (typed or bookmarked) requests. Requests without the header (old browsers, scripts)
count as cross-site. Pages without a secret, the API and static files are always compressed.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request, session

from .extensions import compress

SAFE_SITES = frozenset({"same-origin", "none"})


def carries_secret(response: Response) -> bool:
    """Whether the response holds a CSRF token or is a page made for a signed-in visitor."""
    if current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g:
        return True
    return response.mimetype == "text/html" and "_user_id" in session


def compress_response(response: Response) -> Response:
    """After-request hook: flask-compress's own, unless BREACH forbids it for this request."""
    if request.headers.get("Sec-Fetch-Site") not in SAFE_SITES and carries_secret(response):
        response.vary.add("Sec-Fetch-Site")
        response.vary.add("Accept-Encoding")
        return response
    if response.mimetype == "text/html":
        response.vary.add("Sec-Fetch-Site")
    if (
        response.is_streamed
        and response.mimetype in compress.compress_mimetypes_set
        and request.headers.get("Accept-Encoding")
    ):
        # A static file streams from disk; read whole (they are small), it compresses with
        # any algorithm, keeps its Content-Length, and its file closes with the response
        # (flask-compress's streaming wrapper would leave it to the garbage collector).
        response.direct_passthrough = False
        response.make_sequence()
    return compress.after_request(response)


def init_app(app: Flask) -> None:
    """Register the hook; call before any other after-request hook, so it runs last (Flask runs
    them in reverse) and compresses the final body."""
    app.config["COMPRESS_REGISTER"] = False  # compress_response calls it when allowed
    compress.init_app(app)
    app.after_request(compress_response)
