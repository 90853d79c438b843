"""Error pages in the site's design (JSON under /api/), and domain errors' HTTP statuses."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from . import i18n
from .extensions import db, login_manager
from .services.errors import DomainError, NotFound
from .services.redirects import Moved

TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    500: _l("Something went wrong"),
    503: _l("Temporarily unavailable"),
}
# Seconds a visitor (or a load balancer) is asked to wait when the database does not answer.
RETRY_AFTER = 10

log = logging.getLogger(__name__)

EXPIRED_FORM = _l(
    "The form had expired (it was open for a long time, or you signed in or out meanwhile), so "
    "nothing was changed. Go back, reload the page and send it again."
)


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _page(status: int, message: str | None = None):
    """The error page, or ``{"error": message, "status": status}`` for a request to the API."""
    if _is_api():
        with force_locale(i18n.DEFAULT):  # the API's texts are not translated
            error = str(message or TITLES.get(status, "Error"))
        return jsonify(error=error, status=status), status
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=TITLES.get(status) or _("Error"),
            message=message,
            path=request.path,
        ),
        status,
    )


def register(app: Flask) -> None:
    @app.errorhandler(Moved)
    def moved(error: Moved):
        if request.method not in ("GET", "HEAD"):  # a browser would repeat a POST as a GET
            return domain_error(NotFound(_("This page has moved; nothing was sent.")))
        return redirect(url_for(error.endpoint, **error.values), 301)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        body, status = _page(error.status_code, str(error))
        return body, status, ({"Retry-After": str(RETRY_AFTER)} if status == 503 else {})

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        # A form view shows itself again with what was typed; the form explains what happened.
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, "keeps_input_on_csrf_failure", False):
            try:
                return view(**(request.view_args or {}))
            except DomainError as error:  # the view refused (404, 403, ...) before its form
                return domain_error(error)
        return _page(400, EXPIRED_FORM)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Keep the exception's own headers (Allow on 405, Retry-After, ...) but not its body type.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        # A script reading the API gets werkzeug's sentence; the HTML page has its own wording.
        body, status = _page(error.code or 500, error.description if _is_api() else None)
        return body, status, headers

    @app.errorhandler(InternalServerError)
    def server_error(_error: InternalServerError):
        db.session.rollback()
        return _page(500)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: DBAPIError):
        """The database went away (restart, failover, network): 503, and the app recovers alone.

        The engine pings pooled connections before use, so the first request after the database
        is back gets a fresh one. The page is shown as to a visitor who is not signed in: telling
        who is signed in would need the database.
        """
        log.error("database unavailable: %s", error.orig or error, exc_info=error)
        try:
            db.session.rollback()
        except DBAPIError:
            db.session.invalidate()
        g._login_user = login_manager.anonymous_user()
        body, status = _page(503)
        return body, status, {"Retry-After": str(RETRY_AFTER)}
