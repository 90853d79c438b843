"""Template filters and globals: labels for stored values, Markdown through the sanitiser."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from . import i18n, page_meta, permissions, vocab
from .markup import render_markdown
from .services import alerts, versions

# The curators' area, in menu order, with the permission its routes check; entries whose
# blueprint is missing are left out.
CURATE_NAV = (
    ("curate.queue", _l("Queue"), permissions.can_moderate),
    ("reports.curate_index", _l("Reports"), permissions.can_moderate),
    ("manage.taxonomy", _l("Taxonomy"), permissions.can_manage_taxonomy),
    ("manage.cities", _l("Cities"), permissions.can_manage_cities),
    ("manage.users", _l("Users"), permissions.can_manage_users),
    ("imports.page", _l("Import"), permissions.can_import),
    ("curate.audit_log", _l("Audit log"), permissions.can_moderate),
)


def curate_nav() -> list[tuple[str, str]]:
    """The curation menu: the pages the signed-in user may open, asked as their routes ask."""
    return [
        (endpoint, label)
        for endpoint, label, allowed in CURATE_NAV
        if endpoint in current_app.view_functions and allowed(current_user)
    ]


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(i18n.format_date, "date")
    app.add_template_filter(i18n.format_number, "number")
    app.add_template_filter(i18n.country_name, "country")
    app.add_template_filter(i18n.language_name, "language")
    app.add_template_filter(i18n.term_label, "label")
    app.add_template_filter(i18n.term_description, "described")
    app.add_template_filter(i18n.in_sentence, "in_sentence")
    app.add_template_filter(i18n.endonym, "endonym")
    app.add_template_filter(versions.shown, "shown_version")
    app.add_template_filter(external_url, "external_url")
    app.add_template_global(page_url, "page_url")
    app.add_template_global(url_without, "url_without")
    app.add_template_global(url_replace, "url_replace")
    app.add_template_global(same_search, "same_search")
    app.add_template_global(permissions, "permissions")
    app.add_template_global(curate_nav, "curate_nav")
    app.add_template_global(i18n.current_language, "current_language")
    app.add_template_global(i18n.menu, "language_menu")
    app.add_template_global(page_meta.canonical_url, "canonical_url")
    app.add_template_global(page_meta.default_url, "default_url")
    app.add_template_global(page_meta.og_locale, "og_locale")
    app.add_template_global(page_meta.og_alternate_locales, "og_alternate_locales")
    app.add_template_global(alerts.describe, "describe_saved_search")
    app.add_template_global(alerts.arguments_of, "alert_arguments")
    app.jinja_env.globals.update(
        KINDS=vocab.KINDS,
        MATURITIES=vocab.MATURITIES,
        MATURITY_HINTS=vocab.MATURITY_HINTS,
        COST_BANDS=vocab.COST_BANDS,
        CITY_ROLES=vocab.CITY_ROLES,
        STATUS_LABELS=vocab.STATUS_LABELS,
        ROLE_LABELS=vocab.ROLE_LABELS,
        ALERT_FREQUENCIES=vocab.ALERT_FREQUENCIES,
    )


def external_url(value: str | None) -> str:
    """``value`` when it is an http(s) URL, else "" (never a javascript: or data: link)."""
    if not value:
        return ""
    scheme = urlsplit(value.strip()).scheme.lower()
    return value.strip() if scheme in ("http", "https") else ""


# Left unescaped in query strings, as url_for itself does (WHATWG URL spec), so links read the same.
QUERY_SAFE = "!$'()*,/:;?@"


def _current_url(args: dict[str, list[str]], path: str | None = None) -> str:
    """The current page's path (or ``path``) with ``args`` as its query string.

    The query is encoded apart from url_for: a visitor's ``?endpoint=``, ``?_external=`` or a key
    named like a path argument (``?slug=``) must stay a query parameter, never a url_for argument.
    """
    path = path or url_for(request.endpoint, **(request.view_args or {}))
    query = urlencode(args, doseq=True, safe=QUERY_SAFE)
    return f"{path}?{query}" if query else path


def page_url(page: int) -> str:
    """The current page's URL with every query parameter kept and ``page`` replaced."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    if page > 1:
        args["page"] = [str(page)]
    return _current_url(args)


def url_without(name: str, value: str | None = None) -> str:
    """The current page's URL without one value of ``name`` (every value when None), page 1."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    if value is None:
        args.pop(name, None)
    else:
        args[name] = [v for v in args.get(name, []) if v != value]
    return _current_url(args)


def same_search(endpoint: str) -> str:
    """The address of ``endpoint`` (a download of the results) with the current page's query
    string, less its page and page size: the same search in another form."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    args.pop("per_page", None)
    return _current_url(args, url_for(endpoint))


def url_replace(**params: str | None) -> str:
    """The current page's URL with ``params`` replaced (None removes one), back to page 1."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    for name, value in params.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = [value]
    return _current_url(args)
