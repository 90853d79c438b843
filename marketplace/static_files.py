"""Static files: a content hash in every url_for('static') URL, and caching to match."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join

VERSION_ARG = "v"
FOREVER = "public, max-age=31536000, immutable"


class Versions:
    """Content hashes of the files in one static folder, each read once per process."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._hashes: dict[str, str | None] = {}

    def of(self, filename: str) -> str | None:
        """The first 12 hex digits of the file's SHA-256, or None for no such file."""
        if filename not in self._hashes:
            path = safe_join(self.folder, filename)
            self._hashes[filename] = (
                hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
                if path and Path(path).is_file()
                else None
            )
        return self._hashes[filename]


def add_version(endpoint: str, values: dict) -> None:
    """url_defaults hook: ``static/site.css`` becomes ``static/site.css?v=<hash>``."""
    if endpoint != "static" or VERSION_ARG in values or "filename" not in values:
        return
    if version := current_app.extensions["static_versions"].of(values["filename"]):
        values[VERSION_ARG] = version


def cache_headers(response: Response) -> Response:
    """After-request hook: cached for a year when the URL names the file's current content,
    briefly otherwise (an old link, or a URL typed without its version)."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    version = current_app.extensions["static_versions"].of(filename)
    if version and request.args.get(VERSION_ARG) == version:
        response.headers["Cache-Control"] = FOREVER
    else:
        response.headers["Cache-Control"] = (
            f"public, max-age={int(current_app.config['STATIC_MAX_AGE'])}"
        )
    return response


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, never saved on a static file's answer: Flask-Login looks at
    the session after every request, which would add ``Vary: Cookie`` (so no shared cache could
    keep a stylesheet for more than one visitor) and could refresh the cookie on a static file."""

    def save_session(self, app: Flask, session, response: Response) -> None:
        if request.endpoint == "static" and not session.modified:
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.extensions["static_versions"] = Versions(str(app.static_folder))
    app.session_interface = SessionInterface()
    app.url_defaults(add_version)
    app.after_request(cache_headers)
