"""The search outbox: changes the index has to pick up, written in the changing transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..sqltypes import utc_now


class SearchChange(db.Model):
    """One change that may alter what the public finds: an entry, or a city or term it shows.

    Rows are appended in the changing transaction; each index directory remembers which ids it
    has applied, so several processes (and several machines sharing one database) can each keep
    their own index current. A drain deletes applied rows once they are older than a week.
    """

    __tablename__ = "search_outbox"
    # AUTOINCREMENT: SQLite must never hand out an id again, or an index would skip a change.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    # "solution", "city", "challenge", "track" or "service".
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
