"""Cities taking part in the ICC: the owners and adopters of entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..sqltypes import utc_now


class City(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # ISO 3166-1 alpha-2 (plus XK, the code in common use for Kosovo).
    country: Mapped[str] = mapped_column(String(2), index=True)
    # ICC role: mentor, core or observer.
    role: Mapped[str] = mapped_column(String(20))
    population: Mapped[int | None]
    website: Mapped[str] = mapped_column(String(500), default="")
    # Markdown, rendered only through marketplace.markup.
    profile: Mapped[str] = mapped_column(Text, default="")
    # True for the demo catalogue's cities, shown as sample data.
    sample: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    def __repr__(self) -> str:
        return f"<City {self.slug}>"
