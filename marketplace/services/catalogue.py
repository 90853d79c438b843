"""Read-side queries of the public catalogue: only published entries, eager-loaded for cards."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.orm import selectinload

from .. import permissions, search
from ..extensions import db
from ..models import Adoption, Challenge, City, Solution, Track, TransversalService
from ..models.solution import solution_challenge, solution_sdg, solution_service
from ..vocab import Status
from . import redirects
from .errors import NotFound

# What a card needs; search results read the version they show in one query of their own
# (versions.shown_for), lists of cards load the translations (LIST_OPTIONS).
CARD_OPTIONS = (
    selectinload(Solution.city),
    selectinload(Solution.challenges).selectinload(Challenge.track),
)
LIST_OPTIONS = (*CARD_OPTIONS, selectinload(Solution.translations))


def published() -> Select[tuple[Solution]]:
    """Published entries, newest first, ready to paginate."""
    return (
        select(Solution)
        .where(Solution.status == Status.PUBLISHED)
        .options(*LIST_OPTIONS)
        .order_by(Solution.published_at.desc(), Solution.id.desc())
    )


# The link is a correlated EXISTS rather than IN (ids): the database walks ix_solution_listing
# newest first and probes the link table's primary key for each entry until the page is full,
# instead of reading every id filed under the term first (which grows with the catalogue).


def _published_linked(column: ColumnElement, value: int) -> Select[tuple[Solution]]:
    """Published entries with a row in ``column``'s link table where ``column`` == ``value``."""
    links = column.table
    return published().where(
        select(links.c.solution_id)
        .where(links.c.solution_id == Solution.id, column == value)
        .exists()
    )


def published_for_challenge(challenge: Challenge) -> Select[tuple[Solution]]:
    return _published_linked(solution_challenge.c.challenge_id, challenge.id)


def published_for_track(track: Track) -> Select[tuple[Solution]]:
    return published().where(
        select(solution_challenge.c.solution_id)
        .join(Challenge, Challenge.id == solution_challenge.c.challenge_id)
        .where(solution_challenge.c.solution_id == Solution.id, Challenge.track_id == track.id)
        .exists()
    )


def published_for_service(service: TransversalService) -> Select[tuple[Solution]]:
    return _published_linked(solution_service.c.service_id, service.id)


def published_for_sdg(number: int) -> Select[tuple[Solution]]:
    return _published_linked(solution_sdg.c.sdg_number, number)


def published_for_city(city: City) -> Select[tuple[Solution]]:
    return published().where(Solution.city_id == city.id)


def adopted_by_city(city: City) -> list[Solution]:
    """Published entries of other cities that ``city`` adopted."""
    adopted = select(Adoption.solution_id).where(Adoption.city_id == city.id)
    return list(db.session.scalars(published().where(Solution.id.in_(adopted))))


def published_featured() -> Select[tuple[Solution]]:
    """Featured published entries, newest first (read through ix_solution_featured_listing)."""
    return published().where(Solution.featured.is_(True))


def latest(limit: int = 6) -> list[Solution]:
    return list(db.session.scalars(published().limit(limit)))


def featured(limit: int = 3) -> list[Solution]:
    return list(db.session.scalars(published_featured().limit(limit)))


def count_published() -> int:
    """Published entries: from the live index when it is current, else counted in the database."""
    if (counts := search.current_counts()) is not None:
        return counts.total
    return db.session.scalar(
        select(func.count()).select_from(Solution).where(Solution.status == Status.PUBLISHED)
    )


# The search index's facet holding each kind of term's slug.
FACET_OF = {Track: "track", Challenge: "challenge", TransversalService: "service", City: "city"}


def indexed_count(term: Track | Challenge | TransversalService | City) -> int | None:
    """Published entries filed under ``term`` (or written by the city), from the live index's
    facet bitsets; None when the index is not current (search.current_counts): count the page."""
    counts = search.current_counts()
    return None if counts is None else counts.of(FACET_OF[type(term)], term.slug)


def get_visible(slug: str, user: Any) -> Solution:
    """The entry with ``slug`` if ``user`` may see it.

    :raises Moved: the entry was merged into another, published one.
    :raises NotFound: when there is no such entry or it is not public and ``user`` may not see it
        (an unpublished entry does not reveal that it exists).
    """
    # Visibility is part of the query, so a hidden entry costs what a missing one does (no
    # relationships loaded before the refusal): its response time does not tell that it exists.
    visible = Solution.status == Status.PUBLISHED
    if permissions.can_moderate(user):
        visible = true()
    elif permissions.belongs_to_city(user, getattr(user, "city_id", None)):
        visible = visible | (Solution.city_id == user.city_id)
    solution = db.session.scalar(
        select(Solution)
        .where(Solution.slug == slug, visible)
        .options(
            *LIST_OPTIONS,
            selectinload(Solution.services),
            selectinload(Solution.sdgs),
            selectinload(Solution.adoptions).selectinload(Adoption.city),
        )
    )
    if solution is None or not permissions.can_view(user, solution):
        redirects.raise_if_moved("solution", slug)  # a merged duplicate: its content lives on
        raise NotFound(_("There is no published entry at this address."))
    return solution
