"""Reports from the public about a published entry, and the curator's decision on each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..sqltypes import utc_now
from ..vocab import ReportStatus
from .solution import Solution
from .user import User


class Report(db.Model):
    """A visitor's report that an entry is outdated, incorrect, inappropriate or a duplicate.

    ``status`` is "open" until a curator decides: "resolved" (``resolution`` says how: "edit",
    "archive" or "merge") or "dismissed"; either way with a ``note``.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(20))  # services.reports.REASONS
    text: Mapped[str] = mapped_column(Text, default="")
    # The entry this one duplicates, when the reporter named it (reason "duplicate").
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("solution.id", ondelete="SET NULL")
    )
    reporter_email: Mapped[str] = mapped_column(String(254), default="")
    # The interface language the reporter wrote in: the outcome is mailed to them in it.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # HMAC-SHA256 of the client's IP address under the secret key, for the rate limit only: the
    # address itself is never stored.
    ip_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.OPEN, index=True)
    resolution: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)

    solution: Mapped[Solution] = relationship(foreign_keys=[solution_id])
    duplicate_of: Mapped[Solution | None] = relationship(foreign_keys=[duplicate_of_id])
    resolved_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == ReportStatus.OPEN

    def __repr__(self) -> str:
        return f"<Report {self.id} {self.reason} {self.status}>"
