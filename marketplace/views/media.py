"""Uploaded entry images, served with the content type their bytes were checked to have."""

from __future__ import annotations

from flask import Blueprint, abort, send_from_directory

from ..services import images

bp = Blueprint("media", __name__, url_prefix="/media")


@bp.get("/<name>")
def image(name: str):
    if not images.is_stored(name):
        abort(404)
    response = send_from_directory(
        images.folder(), name, mimetype=images.content_type(name), max_age=31_536_000
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
