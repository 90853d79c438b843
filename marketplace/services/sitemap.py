"""The public addresses of the catalogue for sitemap.xml: published entries, cities and terms.

The addresses come in a fixed order (the site's main pages, entries by id, cities, tracks,
challenges, services, SDGs), so a sitemap file is a slice of them: ``urls(offset, limit)`` reads
only that slice, entries ``yield_per`` rows at a time, whatever the size of the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

from ..extensions import db
from ..models import SDG, Challenge, City, Solution, Track, TransversalService
from ..models.solution import solution_challenge, solution_sdg, solution_service
from ..vocab import Status
from .records import absolute_url, iso

# Pages that list or explain the catalogue, without a date of their own.
MAIN_PAGES = (
    "main.home",
    "catalogue.index",
    "cities.index",
    "taxonomy.tracks",
    "main.about",
    "api.guide",
)
# The protocol's limit of addresses in one sitemap file (sitemaps.org).
PROTOCOL_LIMIT = 50_000
BATCH = 1000


@dataclass(frozen=True)
class Url:
    loc: str
    lastmod: str | None = None


def _newest(*values: datetime | None) -> str | None:
    known = [value for value in values if value is not None]
    return iso(max(known)) if known else None


def _published() -> Select:
    return select(Solution.id).where(Solution.status == Status.PUBLISHED)


@dataclass(frozen=True)
class _Section:
    count: Callable[[], int]
    read: Callable[[int, int], Iterator[Url]]


def _main_count() -> int:
    return len(MAIN_PAGES)


def _main(offset: int, limit: int) -> Iterator[Url]:
    for endpoint in MAIN_PAGES[offset : offset + limit]:
        yield Url(absolute_url(endpoint))


def _count(statement: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.subquery()))


def _entries_count() -> int:
    return _count(_published())


def _entries(offset: int, limit: int) -> Iterator[Url]:
    rows = db.session.execute(
        select(Solution.slug, Solution.content_updated_at, Solution.published_at)
        .where(Solution.status == Status.PUBLISHED)
        .order_by(Solution.id)
        .offset(offset)
        .limit(limit)
        .execution_options(yield_per=BATCH)
    )
    for slug, updated, published in rows:
        # Publishing changes the page as much as an edit does: the later of the two.
        yield Url(absolute_url("catalogue.detail", slug=slug), _newest(updated, published))


def _newest_entries(group_column, *joins) -> Select:
    """The newest content update of the published entries, by ``group_column`` (a column of the
    link table, or of a table joined after it)."""
    statement = select(group_column, func.max(Solution.content_updated_at)).select_from(Solution)
    for join in joins:
        statement = statement.join(join)
    return statement.where(Solution.status == Status.PUBLISHED).group_by(group_column)


def _terms(
    model, endpoint: str, key: str, newest: Select, order, where=None
) -> Callable[[int, int], Iterator[Url]]:
    """A section of taxonomy pages; lastmod from ``newest`` (none for a term without entries)."""

    def read(offset: int, limit: int) -> Iterator[Url]:
        statement = select(model).order_by(*order).offset(offset).limit(limit)
        if where is not None:
            statement = statement.where(where)
        terms = list(db.session.scalars(statement))
        dates = dict(db.session.execute(newest).all())
        for term in terms:
            value = getattr(term, key)
            yield Url(absolute_url(endpoint, **{key: value}), _newest(dates.get(term_id(term))))

    def term_id(term):
        return term.number if model is SDG else term.id

    return read


def _cities(offset: int, limit: int) -> Iterator[Url]:
    newest = (
        select(Solution.city_id, func.max(Solution.content_updated_at))
        .where(Solution.status == Status.PUBLISHED)
        .group_by(Solution.city_id)
    )
    dates = dict(db.session.execute(newest).all())
    for city in db.session.scalars(select(City).order_by(City.id).offset(offset).limit(limit)):
        yield Url(
            absolute_url("cities.detail", slug=city.slug),
            _newest(city.created_at, dates.get(city.id)),
        )


def _sections() -> list[_Section]:
    by_challenge = _newest_entries(solution_challenge.c.challenge_id, solution_challenge)
    by_track = _newest_entries(Challenge.track_id, solution_challenge, Challenge)
    by_service = _newest_entries(solution_service.c.service_id, solution_service)
    by_sdg = _newest_entries(solution_sdg.c.sdg_number, solution_sdg)
    offered = {
        Track: Track.retired.is_(False),
        Challenge: Challenge.retired.is_(False),
        TransversalService: TransversalService.retired.is_(False),
    }
    terms = [
        (Track, "taxonomy.track", "slug", by_track, (Track.position, Track.id)),
        (Challenge, "taxonomy.challenge", "slug", by_challenge, (Challenge.id,)),
        (TransversalService, "taxonomy.service", "slug", by_service, (TransversalService.id,)),
        (SDG, "taxonomy.sdg", "number", by_sdg, (SDG.number,)),
    ]
    sections = [
        _Section(_main_count, _main),
        _Section(_entries_count, _entries),
        _Section(lambda: db.session.scalar(select(func.count()).select_from(City)), _cities),
    ]
    for model, endpoint, key, newest, order in terms:
        where = offered.get(model)
        count_statement = select(model)
        if where is not None:
            count_statement = count_statement.where(where)
        sections.append(
            _Section(
                lambda statement=count_statement: _count(statement),
                _terms(model, endpoint, key, newest, order, where),
            )
        )
    return sections


def count() -> int:
    """How many addresses the sitemap lists."""
    return sum(section.count() for section in _sections())


def urls(offset: int = 0, limit: int | None = None) -> Iterator[Url]:
    """The addresses from ``offset`` on (``limit`` of them, or all), in the sitemap's order."""
    remaining = limit
    for section in _sections():
        if remaining is not None and remaining <= 0:
            return
        size = section.count()
        if offset >= size:
            offset -= size
            continue
        take = size - offset if remaining is None else min(size - offset, remaining)
        yield from section.read(offset, take)
        offset = 0
        if remaining is not None:
            remaining -= take
