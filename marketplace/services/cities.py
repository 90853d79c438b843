"""Read-side queries of city profiles."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..database import transactional
from ..extensions import db
from ..models import City, Solution
from ..permissions import can_edit_city
from ..text import sort_key
from ..vocab import Status
from . import redirects
from .entries import valid_url
from .errors import NotFound, PermissionDenied, ValidationFailed


def cities_with_counts() -> list[tuple[City, int]]:
    """Every city, alphabetically, with its number of published entries."""
    published = (
        select(Solution.city_id, func.count().label("n"))
        .where(Solution.status == Status.PUBLISHED)
        .group_by(Solution.city_id)
        .subquery()
    )
    rows = db.session.execute(
        select(City, func.coalesce(published.c.n, 0)).outerjoin(
            published, published.c.city_id == City.id
        )
    )
    return sorted((tuple(row) for row in rows), key=lambda row: sort_key(row[0].name))


def get_city(slug: str) -> City:
    """:raises Moved: the city's address changed. :raises NotFound: no city has this slug."""
    city = db.session.scalar(select(City).where(City.slug == slug))
    if city is None:
        redirects.raise_if_moved("city", slug)
        raise NotFound(_("There is no city at this address."))
    return city


def all_cities() -> list[City]:
    """Every city, alphabetically (the choices of "used by" in the entry form)."""
    return sorted(db.session.scalars(select(City)), key=lambda city: sort_key(city.name))


@transactional
def update_profile(user: Any, city: City, profile: str, website: str, population: int | None):
    """Save the city's profile text, website and population.

    :raises PermissionDenied: not a publisher of this city (or a curator).
    :raises ValidationFailed: a website that is not an http(s) address.
    """
    if not can_edit_city(user, city):
        raise PermissionDenied(_("Only the city's own publishers can edit its profile."))
    website = website.strip()
    if website and not valid_url(website):
        raise ValidationFailed(_("Give a full web address starting with https://."), "website")
    city.profile = profile
    city.website = website
    city.population = population


def get_city_for_editing(user: Any) -> City:
    """The city whose profile ``user`` edits.

    :raises PermissionDenied: the user publishes for no city.
    """
    if user.city is None or not can_edit_city(user, user.city):
        raise PermissionDenied(_("Only a city's own publishers can edit its profile."))
    return user.city
