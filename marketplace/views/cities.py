"""City profiles: the list of ICC cities and each city's page."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from .. import i18n
from ..services import catalogue, cities, linked_data
from .paging import paginate

bp = Blueprint("cities", __name__, url_prefix="/cities")


@bp.get("")
def index():
    return render_template("cities/index.html", cities=cities.cities_with_counts())


@bp.get("/<slug>")
def detail(slug: str):
    city = cities.get_city(slug)
    pagination = paginate(catalogue.published_for_city(city), catalogue.indexed_count(city))
    return render_template(
        "cities/detail.html",
        city=city,
        pagination=pagination,
        adopted=catalogue.adopted_by_city(city),
        linked_data=linked_data.city(city, pagination.items, i18n.current_language()),
        feed_url=url_for("feeds.solutions", city=city.slug, lang=i18n.current_language()),
    )
