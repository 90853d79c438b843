"""Pending edits of a published entry, kept apart until a curator approves them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..sqltypes import utc_now
from ..vocab import RevisionStatus
from .solution import Solution
from .user import User


class SolutionRevision(db.Model):
    """The author's edit of a published entry; the public keeps the approved version meanwhile.

    ``data`` holds every editable field as the entry form produces it (taxonomy by slug, cities
    by slug). One pending revision per entry: editing again updates it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), unique=True
    )
    # "draft" while the author works on it, "submitted" once it waits for a curator.
    status: Mapped[str] = mapped_column(String(20), default=RevisionStatus.DRAFT, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    solution: Mapped[Solution] = relationship(
        backref=db.backref("revision", uselist=False, cascade="all, delete-orphan")
    )
    author: Mapped[User | None] = relationship()
