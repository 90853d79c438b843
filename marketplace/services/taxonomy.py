"""Read-side queries of the taxonomy: tracks, challenges, services and their entry counts."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import search
from ..extensions import db
from ..models import SDG, Challenge, Solution, Track, TransversalService
from ..models.solution import solution_challenge, solution_sdg, solution_service
from ..vocab import Status
from .errors import NotFound


def tracks() -> list[Track]:
    """Tracks still offered, grouped by edition (newest first), with their challenges."""
    return list(
        db.session.scalars(
            select(Track)
            .where(Track.retired.is_(False))
            .options(selectinload(Track.challenges))
            .order_by(Track.edition.desc(), Track.position, Track.name)
        )
    )


def services() -> list[TransversalService]:
    return list(
        db.session.scalars(
            select(TransversalService)
            .where(TransversalService.retired.is_(False))
            .order_by(TransversalService.position, TransversalService.name)
        )
    )


def sdgs() -> list[SDG]:
    return list(db.session.scalars(select(SDG).order_by(SDG.number)))


def _published_link_counts(link_column, group_column, *joins) -> dict[int, int]:
    query = (
        select(group_column, func.count(func.distinct(Solution.id)))
        .select_from(link_column.table)
        .join(Solution, Solution.id == link_column.table.c.solution_id)
    )
    for target, condition in joins:
        query = query.join(target, condition)
    query = query.where(Solution.status == Status.PUBLISHED).group_by(group_column)
    return dict(db.session.execute(query).all())


def _indexed_counts(facet: str, model) -> dict[int, int] | None:
    """Published entries per ``model`` id from the live index's ``facet`` (keyed by slug), or None
    when the index is not current (search.current_counts)."""
    counts = search.current_counts()
    if counts is None:
        return None
    by_slug = counts.by_value(facet)
    terms = db.session.execute(select(model.id, model.slug))
    return {term_id: by_slug[slug] for term_id, slug in terms if slug in by_slug}


def published_counts_by_track() -> dict[int, int]:
    """Published entries per track id (an entry counts once per track)."""
    indexed = _indexed_counts("track", Track)
    if indexed is not None:
        return indexed
    return _published_link_counts(
        solution_challenge.c.challenge_id,
        Challenge.track_id,
        (Challenge, Challenge.id == solution_challenge.c.challenge_id),
    )


def published_counts_by_challenge() -> dict[int, int]:
    indexed = _indexed_counts("challenge", Challenge)
    if indexed is not None:
        return indexed
    return _published_link_counts(
        solution_challenge.c.challenge_id, solution_challenge.c.challenge_id
    )


def published_counts_by_service() -> dict[int, int]:
    indexed = _indexed_counts("service", TransversalService)
    if indexed is not None:
        return indexed
    return _published_link_counts(solution_service.c.service_id, solution_service.c.service_id)


def published_counts_by_sdg() -> dict[int, int]:
    return _published_link_counts(solution_sdg.c.sdg_number, solution_sdg.c.sdg_number)


def _by_slug(model, slug: str):
    return db.session.scalar(select(model).where(model.slug == slug))


def get_track(slug: str) -> Track:
    """:raises NotFound: when no track has this slug."""
    if (track := _by_slug(Track, slug)) is None:
        raise NotFound(_("There is no track at this address."))
    return track


def get_challenge(slug: str) -> Challenge:
    """:raises NotFound: when no challenge has this slug."""
    if (challenge := _by_slug(Challenge, slug)) is None:
        raise NotFound(_("There is no challenge at this address."))
    return challenge


def get_service(slug: str) -> TransversalService:
    """:raises NotFound: when no transversal service has this slug."""
    if (service := _by_slug(TransversalService, slug)) is None:
        raise NotFound(_("There is no transversal service at this address."))
    return service


def get_sdg(number: int) -> SDG:
    """:raises NotFound: when ``number`` is not one of the goals."""
    sdg = db.session.get(SDG, number)
    if sdg is None:
        raise NotFound(_("There is no Sustainable Development Goal with this number."))
    return sdg
