"""Which outbox rows an index directory has applied, kept in a small file inside that directory.

Outbox ids are handed out when a row is inserted, but on PostgreSQL transactions commit in any
order, so a lower id can become visible after a higher one. A position is therefore a floor (every
row at or below it is applied) plus the ids above the floor already applied. The floor only moves
past rows older than GRACE: a transaction still open after that long is taken to have failed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from ..sqltypes import utc_now

GRACE = timedelta(minutes=2)
FILE = "outbox-position.json"


@dataclass
class Position:
    floor: int = 0
    applied: set[int] = field(default_factory=set)

    def is_applied(self, row_id: int) -> bool:
        return row_id <= self.floor or row_id in self.applied

    def advance(
        self, rows: Iterable[tuple[int, datetime]], now: datetime | None = None
    ) -> Position:
        """The position once ``rows`` (id, created_at above the floor) are applied."""
        cutoff = (now or utc_now()) - GRACE
        rows = list(rows)
        applied = self.applied | {row_id for row_id, _ in rows}
        settled = [row_id for row_id, created in rows if created < cutoff]
        floor = max([self.floor, *settled])
        return Position(floor, {row_id for row_id in applied if row_id > floor})


def read(directory: Path) -> Position:
    try:
        data = json.loads((directory / FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Position()
    return Position(int(data["floor"]), {int(i) for i in data["applied"]})


def write(directory: Path, position: Position) -> None:
    """Replace the position file atomically (a reader sees the old or the new one, never half)."""
    tmp = directory / f".{FILE}.{os.getpid()}"
    payload = {"floor": position.floor, "applied": sorted(position.applied)}
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(tmp, directory / FILE)
