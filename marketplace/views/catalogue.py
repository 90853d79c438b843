"""The public catalogue: the list of published entries and the entry page."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from .. import i18n, search
from ..services import catalogue, catalogue_search, feeds, linked_data, versions
from .paging import Pages
from .search_args import index_missing, search_request

bp = Blueprint("catalogue", __name__, url_prefix="/solutions")


@bp.errorhandler(search.NoIndex)
def preparing(_error: search.NoIndex):
    # 503, not 200: the page cannot do its job yet, and crawlers and caches must not keep it.
    return render_template("catalogue/preparing.html"), 503, index_missing()


@bp.get("")
def index():
    results = catalogue_search.search_catalogue(search_request(request.args))
    pages = Pages(results.request.page, results.request.per_page, results.total)
    # The feed of this search, in the language it is read in (feed readers send none).
    feed_url = url_for(
        "feeds.solutions", **feeds.search_values(results.request), lang=i18n.current_language()
    )
    return render_template(
        "catalogue/index.html", results=results, pagination=pages, feed_url=feed_url
    )


@bp.get("/<slug>")
def detail(slug: str):
    solution = catalogue.get_visible(slug, current_user)
    similar = catalogue_search.similar_entries(solution)
    text = versions.shown(solution, request.args.get("version"))
    return render_template(
        "catalogue/detail.html",
        solution=solution,
        similar=similar,
        text=text,
        versions=versions.every(solution),
        linked_data=linked_data.entry(solution, i18n.current_language()),
    )
