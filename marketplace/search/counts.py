"""Published entries in all and per facet value, from the live index when it holds every change.

The live generation's facet bitsets (live.py) already know how many entries each track, challenge
or service has, so listing pages need not count them in the database. They answer only when the
index has applied every outbox row; otherwise (no index yet, changes still to apply) the caller
counts in the database, which stays the source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import SearchChange
from . import live, position
from .index import current_dir


@dataclass(frozen=True)
class Counts:
    """The live index's published entries: in all, and per value of each facet."""

    generation: live.Generation

    @property
    def total(self) -> int:
        return self.generation.live.bit_count()

    def by_value(self, facet: str) -> dict[str, int]:
        """Entries per value (a slug, a code) of ``facet``, values without entries left out."""
        values = self.generation.facets.get(facet, {})
        return {value: bits.bit_count() for value, bits in values.items()}


def current() -> Counts | None:
    """The live index's counts when it has applied every committed outbox row, else None."""
    directory = current_dir()
    if directory is None:
        return None
    # The position first: a drain commits to the index before it records the rows it applied, so
    # the generation opened after reading it holds at least what the position says.
    done = position.read(directory)
    above = db.session.scalars(select(SearchChange.id).where(SearchChange.id > done.floor))
    if not all(done.is_applied(row_id) for row_id in above):
        return None
    generation = live.generation()
    if generation is None or generation.directory != directory:
        return None  # the live index moved meanwhile (a rebuild swapped it in): count again
    return Counts(generation)
