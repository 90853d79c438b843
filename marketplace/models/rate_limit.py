"""Rate limit counters kept in the database when no Redis is configured (see limits.py)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RateLimitCounter(db.Model):
    """How often one rule was hit for one key in one window; rows outlive their window briefly
    and are deleted by later hits."""

    __tablename__ = "rate_limit_counter"

    # Prefix, rule, keyed hash of the account or network, and the window's number.
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    count: Mapped[int]
    # Unix time at which the window ends and the row may be deleted.
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
