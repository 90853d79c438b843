"""Published entries in all and per facet value, from the live index when it holds every change.

The live generation's facet bitsets (live.py) already know how many entries each track, challenge
or service has, so listing pages need not count them in the database. They answer only when the
index has applied every outbox row; otherwise (no index yet, changes still to apply) the caller
counts in the database, which stays the source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import or_, select

from ..extensions import db
from ..models import SearchChange
from . import live, position
from .index import built_version, current_dir
from .schema import VERSION


@dataclass(frozen=True)
class Counts:
    """The live index's published entries: in all, and per value of each facet."""

    generation: live.Generation

    @property
    def total(self) -> int:
        return self.generation.live.bit_count()

    def of(self, facet: str, value: str) -> int:
        """Entries with ``value`` (a slug, a code) in ``facet``."""
        return self.generation.facets.get(facet, {}).get(value, 0).bit_count()

    def by_value(self, facet: str) -> dict[str, int]:
        """Entries per value (a slug, a code) of ``facet``, values without entries left out."""
        values = self.generation.facets.get(facet, {})
        return {value: bits.bit_count() for value, bits in values.items()}


# Outbox ids below the newest applied one that the index has not applied (rolled back, or not yet
# committed on PostgreSQL) are looked up one by one: beyond this many, the database counts.
MAX_GAPS = 1_000
_unapplied: dict[Path, tuple[tuple[int, int, int], tuple[int, frozenset[int]] | None]] = {}


def _not_applied(directory: Path) -> tuple[int, frozenset[int]] | None:
    """(top, gaps): an outbox row with an id above top or in gaps is one the index has not
    applied; None when there are too many gaps to ask about, or the index is outdated. Worked
    out again only when the position file changes (after a bulk change it lists tens of
    thousands of ids)."""
    try:
        stat = (directory / position.FILE).stat()
        key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        key = (0, 0, 0)
    known = _unapplied.get(directory)
    if known is not None and known[0] == key:
        return known[1]
    done = position.read(directory)
    top = max([done.floor, *done.applied])
    gaps = None
    # An index of another analysis version may lack facets this release counts: not asked.
    if built_version(directory) == VERSION and top - done.floor - len(done.applied) <= MAX_GAPS:
        gaps = (top, frozenset(range(done.floor + 1, top + 1)) - done.applied)
    _unapplied[directory] = (key, gaps)
    return gaps


def current() -> Counts | None:
    """The live index's counts when it has applied every committed outbox row, else None."""
    directory = current_dir()
    if directory is None:
        return None
    # The position first: a drain commits to the index before it records the rows it applied, so
    # the generation opened after reading it holds at least what the position says.
    unapplied = _not_applied(directory)
    if unapplied is None:
        return None
    top, gaps = unapplied
    behind = db.session.scalar(
        select(SearchChange.id)
        .where(or_(SearchChange.id > top, SearchChange.id.in_(sorted(gaps))))
        .limit(1)
    )
    if behind is not None:
        return None
    generation = live.generation()
    if generation is None or generation.directory != directory:
        return None  # the live index moved meanwhile (a rebuild swapped it in): count again
    return Counts(generation)
