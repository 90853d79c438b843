"""The public catalogue: the list of published entries and the entry page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..services import catalogue
from .paging import paginate

bp = Blueprint("catalogue", __name__, url_prefix="/solutions")


@bp.get("")
def index():
    return render_template("catalogue/index.html", pagination=paginate(catalogue.published()))


@bp.get("/<slug>")
def detail(slug: str):
    solution = catalogue.get_visible(slug, current_user)
    return render_template("catalogue/detail.html", solution=solution)
