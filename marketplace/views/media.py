"""Uploaded entry images, served with the content type their bytes were checked to have."""

from __future__ import annotations

from flask import Blueprint, abort, send_from_directory
from flask_login import current_user

from ..services import images

bp = Blueprint("media", __name__, url_prefix="/media")


@bp.get("/<name>")
def image(name: str):
    """An entry's image, to whoever may see an entry (or pending change) that shows it."""
    shown_to = images.visibility(current_user, name)
    if shown_to is None:
        abort(404)
    public = shown_to == "public"
    response = send_from_directory(
        images.folder(),
        name,
        mimetype=images.content_type(name),
        # Names never change, but an entry can be taken down: shared caches ask again hourly.
        max_age=3600 if public else 0,
    )
    if not public:  # a draft's image: not for shared caches, not kept after the session
        response.cache_control.public = False
        response.cache_control.private = True
        response.cache_control.no_store = True
        response.cache_control.max_age = None
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
