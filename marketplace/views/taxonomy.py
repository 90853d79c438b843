"""Tracks, challenges and transversal services, each with the entries filed under it."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from .. import i18n
from ..services import catalogue, taxonomy
from .paging import paginate

bp = Blueprint("taxonomy", __name__)


@bp.get("/tracks")
def tracks():
    return render_template(
        "taxonomy/tracks.html",
        tracks=taxonomy.tracks(),
        services=taxonomy.services(),
        track_counts=taxonomy.published_counts_by_track(),
        challenge_counts=taxonomy.published_counts_by_challenge(),
        service_counts=taxonomy.published_counts_by_service(),
        sdgs=taxonomy.sdgs(),
        sdg_counts=taxonomy.published_counts_by_sdg(),
    )


@bp.get("/tracks/<slug>")
def track(slug: str):
    item = taxonomy.get_track(slug)
    return render_template(
        "taxonomy/track.html",
        track=item,
        challenge_counts=taxonomy.published_counts_by_challenge(),
        pagination=paginate(catalogue.published_for_track(item), catalogue.indexed_count(item)),
        feed_url=url_for("feeds.solutions", track=item.slug, lang=i18n.current_language()),
    )


@bp.get("/challenges/<slug>")
def challenge(slug: str):
    item = taxonomy.get_challenge(slug)
    return render_template(
        "taxonomy/challenge.html",
        challenge=item,
        pagination=paginate(catalogue.published_for_challenge(item), catalogue.indexed_count(item)),
    )


@bp.get("/services/<slug>")
def service(slug: str):
    item = taxonomy.get_service(slug)
    return render_template(
        "taxonomy/service.html",
        service=item,
        pagination=paginate(catalogue.published_for_service(item), catalogue.indexed_count(item)),
    )


@bp.get("/sdgs/<id:number>")
def sdg(number: int):
    item = taxonomy.get_sdg(number)
    return render_template(
        "taxonomy/sdg.html",
        sdg=item,
        pagination=paginate(catalogue.published_for_sdg(item.number)),
    )
