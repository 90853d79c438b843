"""Messages one city sends to the contact of another city's entry, through the site."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..sqltypes import utc_now
from .solution import Solution
from .user import User


class ContactMessage(db.Model):
    """A message delivered to an entry's contact; kept for the record and for rate limits."""

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), index=True
    )
    sender_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # The address it went to (the entry's contact may change later).
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)

    solution: Mapped[Solution] = relationship()
    sender: Mapped[User] = relationship()


class VisitorMessage(db.Model):
    """A visitor's message to an entry's contact: forwarded only once the visitor confirmed,
    through a link mailed to them, that the address they gave is theirs (no open relay)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), index=True
    )
    sender_name: Mapped[str] = mapped_column(String(120))
    sender_email: Mapped[str] = mapped_column(String(254), index=True)
    # Keyed hash of the visitor's IP address (services.reports.hash_ip), for the rate limit.
    ip_hash: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    # When the visitor confirmed and the message was forwarded, and to which address.
    confirmed_at: Mapped[datetime | None]
    recipient: Mapped[str] = mapped_column(String(254), default="")

    solution: Mapped[Solution] = relationship()
