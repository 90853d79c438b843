"""Home and about pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..services import catalogue, taxonomy

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template(
        "main/home.html",
        tracks=taxonomy.tracks(),
        track_counts=taxonomy.published_counts_by_track(),
        featured=catalogue.featured(),
        latest=catalogue.latest(),
        total=catalogue.count_published(),
    )


@bp.get("/about")
def about():
    return render_template(
        "main/about.html",
        tracks=taxonomy.tracks(),
        services=taxonomy.services(),
    )
