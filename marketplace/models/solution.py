"""Solutions and best practices: the entries of the catalogue, and the cities that adopted them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..sqltypes import utc_now
from ..vocab import Status
from .city import City
from .taxonomy import SDG, Challenge, Track, TransversalService

solution_challenge = Table(
    "solution_challenge",
    db.metadata,
    Column("solution_id", ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True),
    Column("challenge_id", ForeignKey("challenge.id"), primary_key=True, index=True),
)
solution_service = Table(
    "solution_service",
    db.metadata,
    Column("solution_id", ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("transversal_service.id"), primary_key=True, index=True),
)
solution_sdg = Table(
    "solution_sdg",
    db.metadata,
    Column("solution_id", ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True),
    Column("sdg_number", ForeignKey("sdg.number"), primary_key=True, index=True),
)


class Solution(db.Model):
    """A solution or best practice written up by its owning city."""

    # The public listings (home, city, track and challenge pages) read published entries newest
    # first: each index leads with what its listing filters on and ends in its ORDER BY, so the
    # database walks the index in order and stops after a page instead of sorting every entry.
    # They replace the single-column indexes on status, city_id and published_at (prefixes of
    # these serve the same lookups), which let PostgreSQL's planner pick a filter-and-sort plan.
    __table_args__ = (
        Index("ix_solution_listing", "status", "published_at", "id"),
        Index("ix_solution_featured_listing", "status", "featured", "published_at", "id"),
        Index("ix_solution_city_listing", "city_id", "status", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # vocab.KINDS
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")  # plain text
    # Markdown fields, rendered only through marketplace.markup.
    description: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"))  # ix_solution_city_listing
    provider: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # The owner chooses whether the public sees the contact block.
    contact_public: Mapped[bool] = mapped_column(default=True)
    website: Mapped[str] = mapped_column(String(500), default="")
    maturity: Mapped[str] = mapped_column(String(20), default="idea")  # vocab.MATURITIES
    cost_band: Mapped[str] = mapped_column(String(20), default="")  # vocab.COST_BANDS or ""
    funding_model: Mapped[str] = mapped_column(String(200), default="")
    licence: Mapped[str] = mapped_column(String(80), default="")  # SPDX id or "proprietary"
    # ISO 639-1 code of the language the entry is written in (its original version).
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # ISO 639-1 codes of the languages the solution and its documentation exist in.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Stored image name (services.images) and its text alternative; "" when there is none.
    image: Mapped[str] = mapped_column(String(64), default="", index=True)
    image_alt: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT)  # ix_solution_listing
    featured: Mapped[bool] = mapped_column(default=False)
    sample: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
    # When the entry's own content last changed (the public "Last updated"); pending changes,
    # featuring or a new version number leave it alone.
    content_updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    published_at: Mapped[datetime | None] = mapped_column()
    # Optimistic locking: every UPDATE checks and increments it, so two curators deciding the
    # same submission at once cannot both succeed.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    city: Mapped[City] = relationship()
    # Orders end on a unique column: ties would come back in whatever order the database's
    # plan reads them, so one catalogue could show two orders (a restored copy did).
    challenges: Mapped[list[Challenge]] = relationship(
        secondary=solution_challenge, order_by=lambda: (Challenge.position, Challenge.id)
    )
    services: Mapped[list[TransversalService]] = relationship(
        secondary=solution_service,
        order_by=lambda: (TransversalService.position, TransversalService.id),
    )
    sdgs: Mapped[list[SDG]] = relationship(secondary=solution_sdg, order_by="SDG.number")
    adoptions: Mapped[list[Adoption]] = relationship(
        back_populates="solution",
        cascade="all, delete-orphan",
        order_by=lambda: (Adoption.created_at, Adoption.city_id),
    )
    translations: Mapped[list[SolutionTranslation]] = relationship(
        back_populates="solution",
        cascade="all, delete-orphan",
        order_by="SolutionTranslation.language",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def tracks(self) -> list[Track]:
        """The tracks implied by the entry's challenges, in track order."""
        tracks = {challenge.track.id: challenge.track for challenge in self.challenges}
        return sorted(tracks.values(), key=lambda track: (track.position, track.name))

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def __repr__(self) -> str:
        return f"<Solution {self.slug} {self.status}>"


# The fields of an entry its city may translate (plain text, then Markdown).
TRANSLATABLE = ("title", "summary", "description", "impact", "lessons")


class SolutionTranslation(db.Model):
    """The entry's text in another language than its own, written by its city.

    A translation of a published entry is public as soon as the entry is: it changes only
    through a pending revision a curator approves, like the rest of the entry.
    """

    __tablename__ = "solution_translation"
    __table_args__ = (UniqueConstraint("solution_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))  # ISO 639-1, never the entry's own
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    solution: Mapped[Solution] = relationship(back_populates="translations")

    def __repr__(self) -> str:
        return f"<SolutionTranslation {self.solution_id} {self.language}>"


class Adoption(db.Model):
    """A city that adopted another city's entry ("used by"), with a short note."""

    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True
    )
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"), primary_key=True, index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    solution: Mapped[Solution] = relationship(back_populates="adoptions")
    city: Mapped[City] = relationship()
