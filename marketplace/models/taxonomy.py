"""The ICC taxonomy: thematic tracks and their challenges, transversal services, UN SDGs."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class Track(db.Model):
    """A thematic track of one ICC edition (2020-22 tracks and later ones live side by side)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    edition: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    challenges: Mapped[list[Challenge]] = relationship(
        back_populates="track", order_by="Challenge.position"
    )

    def __repr__(self) -> str:
        return f"<Track {self.slug}>"


class Challenge(db.Model):
    """A challenge within a track; entries address one or more challenges."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    track: Mapped[Track] = relationship(back_populates="challenges")

    def __repr__(self) -> str:
        return f"<Challenge {self.slug}>"


class TransversalService(db.Model):
    """A cross-cutting ICC service: finance, procurement, open data."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<TransversalService {self.slug}>"


class SDG(db.Model):
    """One of the 17 UN Sustainable Development Goals, keyed by its number."""

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(120))

    def __repr__(self) -> str:
        return f"<SDG {self.number}>"
