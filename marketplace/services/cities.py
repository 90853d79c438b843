"""Read-side queries of city profiles."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import City, Solution
from ..vocab import Status
from .errors import NotFound


def cities_with_counts() -> list[tuple[City, int]]:
    """Every city, alphabetically, with its number of published entries."""
    published = (
        select(Solution.city_id, func.count().label("n"))
        .where(Solution.status == Status.PUBLISHED)
        .group_by(Solution.city_id)
        .subquery()
    )
    rows = db.session.execute(
        select(City, func.coalesce(published.c.n, 0))
        .outerjoin(published, published.c.city_id == City.id)
        .order_by(City.name)
    )
    return [tuple(row) for row in rows]


def get_city(slug: str) -> City:
    """:raises NotFound: when no city has this slug."""
    city = db.session.scalar(select(City).where(City.slug == slug))
    if city is None:
        raise NotFound("There is no city at this address.")
    return city


def all_cities() -> list[City]:
    """Every city, alphabetically (the choices of "used by" in the entry form)."""
    return list(db.session.scalars(select(City).order_by(City.name)))
