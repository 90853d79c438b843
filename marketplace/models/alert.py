"""Saved searches: a search someone asked to hear about by email, daily or weekly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..sqltypes import utc_now
from .user import User

DAILY, WEEKLY = "daily", "weekly"
FREQUENCIES = (DAILY, WEEKLY)


class SavedSearch(db.Model):
    """A search (the results page's parameters) whose new and updated published entries are
    mailed to ``email`` as a digest; nothing is sent before ``confirmed_at`` is set."""

    # The sender's query: confirmed searches whose digest is due.
    __table_args__ = (Index("ix_saved_search_due", "confirmed_at", "next_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    # The account that saved it while signed in (None: a visitor who confirmed by mail).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    # The search as a canonical query string (q, facets, exact): services.alerts.search_of.
    query: Mapped[str] = mapped_column(Text, default="")
    # The interface language when it was saved: the digest's language and the query's.
    language: Mapped[str] = mapped_column(String(8), default="en")
    frequency: Mapped[str] = mapped_column(String(8), default=DAILY)  # FREQUENCIES
    # Keyed hash of the IP address it was saved from (services.reports.hash_ip).
    ip_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    confirmed_at: Mapped[datetime | None]
    # When the latest confirmation link was mailed (None: at created_at); a search still
    # unconfirmed once that link has expired is deleted (services.alerts.prune_unconfirmed).
    link_sent_at: Mapped[datetime | None]
    # Entries changed up to this time have been considered for a digest already.
    watermark: Mapped[datetime | None]
    next_due_at: Mapped[datetime | None]
    last_sent_at: Mapped[datetime | None]
    # Set while a run of `alerts send` mails this digest (a lease against a second run).
    claimed_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<SavedSearch {self.id} {self.frequency} confirmed={self.confirmed_at is not None}>"
