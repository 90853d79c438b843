"""How far this node's live index is behind the shared outbox (for /healthz and monitoring)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from whoosh import index as whoosh_index

from ..models import SearchChange
from ..sqltypes import utc_now
from . import position
from .index import current_dir


@dataclass(frozen=True)
class Lag:
    """The live index's generation and the outbox rows it has not applied yet."""

    index: str | None  # name of the live index directory; None before the first rebuild
    generation: int | None  # Whoosh's commit counter of that index
    applied: int  # highest outbox id the index has applied (0: none)
    latest: int  # highest outbox id in the database (0: none)
    pending: int  # outbox rows the index has not applied
    seconds: float  # age of the oldest of them (0 when none)


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def lag(connection: Connection) -> Lag:
    """Read the live index's position and compare it with the outbox, on ``connection``."""
    directory = current_dir()
    done = position.read(directory) if directory is not None else position.Position()
    latest = connection.scalar(select(func.max(SearchChange.id))) or 0
    above = connection.execute(
        select(SearchChange.id, SearchChange.created_at).where(SearchChange.id > done.floor)
    ).all()
    waiting = [created for row_id, created in above if not done.is_applied(row_id)]
    oldest = min(waiting, default=None)
    seconds = (_naive(utc_now()) - _naive(oldest)).total_seconds() if oldest else 0.0
    generation = None
    if directory is not None:
        ix = whoosh_index.open_dir(directory)
        try:
            generation = ix.latest_generation()
        finally:
            ix.close()
    return Lag(
        index=directory.name if directory is not None else None,
        generation=generation,
        applied=max([done.floor, *done.applied]),
        latest=latest,
        pending=len(waiting),
        seconds=round(max(seconds, 0.0), 3),
    )
