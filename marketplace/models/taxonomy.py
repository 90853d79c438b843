"""The ICC taxonomy: tracks, challenges, transversal services, UN SDGs, and the words for them."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class Track(db.Model):
    """A thematic track of one ICC edition (2020-22 tracks and later ones live side by side)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    edition: Mapped[str] = mapped_column(String(20))
    # The name in the other interface languages ({"fr": "...", ...}); ``name`` is the English one.
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    description: Mapped[str] = mapped_column(Text, default="")
    # The description in the other interface languages, as ``labels``.
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    challenges: Mapped[list[Challenge]] = relationship(
        back_populates="track", order_by=lambda: (Challenge.position, Challenge.id)
    )

    def __repr__(self) -> str:
        return f"<Track {self.slug}>"


class Challenge(db.Model):
    """A challenge within a track; entries address one or more challenges."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"), index=True)
    # The name in the other interface languages ({"fr": "...", ...}); ``name`` is the English one.
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
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
    # The name in the other interface languages ({"fr": "...", ...}); ``name`` is the English one.
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    description: Mapped[str] = mapped_column(Text, default="")
    # The description in the other interface languages, as ``labels``.
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<TransversalService {self.slug}>"


class SDG(db.Model):
    """One of the 17 UN Sustainable Development Goals, keyed by its number."""

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(120))
    # The name in the other interface languages ({"fr": "...", ...}); ``name`` is the English one.
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")

    def __repr__(self) -> str:
        return f"<SDG {self.number}>"


class TaxonomyPhrase(db.Model):
    """One of the words people use for a track, challenge or service, in one language.

    A row per phrase, not a column per language: issue 11 adds languages as data, and the
    search side reads every phrase of every term in one query. ``kind`` and ``term_id`` name
    the term (terms are retired, never deleted, so no row is left pointing nowhere). A phrase a
    curator takes off the list stays as ``removed``, so loading the seed again never brings it back.
    """

    __tablename__ = "taxonomy_phrase"
    # Its index also serves looking up one term's phrases (kind and term_id lead).
    __table_args__ = (UniqueConstraint("kind", "term_id", "language", "phrase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "track", "challenge" or "service"
    term_id: Mapped[int]
    language: Mapped[str] = mapped_column(String(8), default="en")  # ISO 639-1
    phrase: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)
    removed: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<TaxonomyPhrase {self.kind} {self.term_id} {self.language} {self.phrase!r}>"


class VocabularyRevision(db.Model):
    """A single row counting changes to the words search knows terms by (names, retirement,
    phrases): each process compares it with the revision its matcher was built from."""

    __tablename__ = "vocabulary_revision"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(default=0)
