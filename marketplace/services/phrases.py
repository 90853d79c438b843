"""The words people use for taxonomy terms, and the revision that tells search they changed.

A curator's list is saved whole: phrases no longer on it stay as removed rows, so loading the
seed again (``add_missing``) never brings back what a curator took off. Every change to what
search matches terms by (a phrase, a name, retiring or restoring) bumps the vocabulary revision
in the same transaction; each process compares it with the one its matcher was built from.
These helpers only flush: the calling service's unit of work commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Challenge, TaxonomyPhrase, Track, TransversalService, VocabularyRevision
from ..search.query import analyse
from .errors import ValidationFailed

LANGUAGE = "en"  # a list's language when none is given (the seed holds every interface language)
PHRASE_MIN = 2
PHRASE_MAX = 60
PHRASES_MAX = 30
FIELD = "phrases"  # the form field a refusal belongs to

# The kind stored with a phrase: the facet the term is filed under in the search index.
KIND_OF: dict[type[Any], str] = {
    Track: "track",
    Challenge: "challenge",
    TransversalService: "service",
}

Term = Track | Challenge | TransversalService


def kind_of(term: Term) -> str:
    return KIND_OF[type(term)]


def clean(text: str | None) -> list[str]:
    """A curator's list, one phrase a line: spaces collapsed, empty lines dropped, a phrase
    repeated in another letter case kept once (as first written).

    :raises ValidationFailed: (field "phrases") a phrase shorter than PHRASE_MIN or longer than
        PHRASE_MAX characters, one made only of words search ignores, or more than PHRASES_MAX.
    """
    phrases: list[str] = []
    seen: set[str] = set()
    for line in (text or "").splitlines():
        phrase = " ".join(line.split())
        if not phrase or phrase.casefold() in seen:
            continue
        if len(phrase) < PHRASE_MIN:
            raise ValidationFailed(
                f"“{phrase}” is too short: each phrase needs at least {PHRASE_MIN} characters.",
                FIELD,
            )
        if len(phrase) > PHRASE_MAX:
            raise ValidationFailed(
                f"“{phrase[:PHRASE_MAX]}…” is too long: keep each phrase to {PHRASE_MAX} "
                "characters.",
                FIELD,
            )
        if not analyse(phrase):
            raise ValidationFailed(
                f"“{phrase}” holds only words search leaves out (such as “the” or “and”): "
                "add the word that carries the meaning.",
                FIELD,
            )
        seen.add(phrase.casefold())
        phrases.append(phrase)
    if len(phrases) > PHRASES_MAX:
        raise ValidationFailed(
            f"Keep the list to {PHRASES_MAX} phrases (it has {len(phrases)}): the ones people "
            "type most.",
            FIELD,
        )
    return phrases


def _rows(term: Term, language: str) -> list[TaxonomyPhrase]:
    return list(
        db.session.scalars(
            select(TaxonomyPhrase)
            .where(
                TaxonomyPhrase.kind == kind_of(term),
                TaxonomyPhrase.term_id == term.id,
                TaxonomyPhrase.language == language,
            )
            .order_by(TaxonomyPhrase.position, TaxonomyPhrase.id)
        )
    )


def of(term: Term, language: str = LANGUAGE) -> list[str]:
    """The term's phrases in ``language``, in the curator's order."""
    return [row.phrase for row in _rows(term, language) if not row.removed]


def by_term(language: str = LANGUAGE) -> dict[tuple[str, int], list[str]]:
    """Every term's phrases in ``language``, keyed by (kind, term id)."""
    result: dict[tuple[str, int], list[str]] = {}
    rows = db.session.execute(
        select(TaxonomyPhrase.kind, TaxonomyPhrase.term_id, TaxonomyPhrase.phrase)
        .where(TaxonomyPhrase.language == language, TaxonomyPhrase.removed.is_(False))
        .order_by(TaxonomyPhrase.position, TaxonomyPhrase.id)
    )
    for kind, term_id, phrase in rows:
        result.setdefault((kind, term_id), []).append(phrase)
    return result


@dataclass(frozen=True)
class Replaced:
    added: list[str]
    removed: list[str]
    changed: bool  # also true when only the order or a letter case changed


def replace(term: Term, phrases: list[str], language: str = LANGUAGE) -> Replaced:
    """Make ``phrases`` (cleaned) the term's list. Flushes only.

    A phrase written again in another letter case keeps its row with the new spelling.
    """
    rows = {row.phrase.casefold(): row for row in _rows(term, language)}
    before = [row.phrase for row in rows.values() if not row.removed]
    added: list[str] = []
    for position, phrase in enumerate(phrases):
        row = rows.pop(phrase.casefold(), None)
        if row is None:
            row = TaxonomyPhrase(kind=kind_of(term), term_id=term.id, language=language)
            db.session.add(row)
        if row.removed or row.phrase is None:
            added.append(phrase)
        row.phrase, row.position, row.removed = phrase, position, False
    removed = [row.phrase for row in rows.values() if not row.removed]
    for row in rows.values():
        row.removed = True
    changed = before != phrases
    if changed:
        bump_revision()
    db.session.flush()
    return Replaced(added, removed, changed)


def add_missing(term: Term, phrases: list[str], language: str = LANGUAGE) -> int:
    """Add the phrases the term never had (a removed one counts as had), after its others;
    returns how many. Flushes only."""
    rows = _rows(term, language)
    known = {row.phrase.casefold() for row in rows}
    position = max((row.position for row in rows), default=-1) + 1
    added = 0
    for phrase in phrases:
        if phrase.casefold() in known:
            continue
        known.add(phrase.casefold())
        db.session.add(
            TaxonomyPhrase(
                kind=kind_of(term),
                term_id=term.id,
                language=language,
                phrase=phrase,
                position=position,
            )
        )
        position += 1
        added += 1
    if added:
        bump_revision()
        db.session.flush()
    return added


def bump_revision() -> None:
    """Count one change to the vocabulary, inside the open transaction."""
    bumped = db.session.execute(
        update(VocabularyRevision)
        .where(VocabularyRevision.id == 1)
        .values(revision=VocabularyRevision.revision + 1)
        .execution_options(synchronize_session=False)
    )
    if not bumped.rowcount:  # a database made without the migration, which adds the row
        db.session.add(VocabularyRevision(id=1, revision=1))
        db.session.flush()


def count() -> int:
    """Phrases in use, every language."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(TaxonomyPhrase)
            .where(TaxonomyPhrase.removed.is_(False))
        )
        or 0
    )
