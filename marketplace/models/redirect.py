"""Old addresses of public pages, kept so that links to them lead to where the content is now."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..sqltypes import utc_now


class SlugRedirect(db.Model):
    """``old_slug`` of a ``kind`` ("solution" or "city") now lives at row ``target_id``: a city
    whose address changed, an entry merged into the one it duplicated."""

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    old_slug: Mapped[str] = mapped_column(String(120), primary_key=True)
    target_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
