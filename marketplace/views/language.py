"""The language menu: kept in a cookie, and on the account of a signed-in person."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

from .. import i18n
from ..services import preferences
from .auth import safe_next

bp = Blueprint("language", __name__)


def without_lang(target: str) -> str:
    """``target`` without a ``lang`` parameter, so the page shows the language just chosen."""
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(parts._replace(query=urlencode(query)))


@bp.post("/language")
def choose():
    """Switch the interface language and go back to the page the menu was on."""
    language = request.form.get("language", "")
    if language not in i18n.LANGUAGES:
        abort(400)
    target = without_lang(safe_next(request.form.get("next"), url_for("main.home")))
    if current_user.is_authenticated:
        preferences.set_language(current_user, language)
    response = redirect(target, code=303)
    response.set_cookie(
        i18n.COOKIE,
        language,
        max_age=i18n.COOKIE_MAX_AGE,
        samesite="Lax",
        secure=request.is_secure,
        httponly=True,
    )
    return response
