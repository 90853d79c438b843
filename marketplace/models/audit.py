"""The audit trail: moderation decisions, curator edits, report decisions, taxonomy and users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..sqltypes import utc_now
from .solution import Solution
from .user import User


class AuditEvent(db.Model):
    """Who did what, when; ``action`` is a dotted name such as "entry.published" or
    "user.deactivated", ``target`` names what was acted on for people reading the log."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    # None when the system acted (loading the demo catalogue, say).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    solution_id: Mapped[int | None] = mapped_column(
        ForeignKey("solution.id", ondelete="SET NULL"), index=True
    )
    target: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()
    solution: Mapped[Solution | None] = relationship()
