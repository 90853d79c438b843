"""The ICC vocabulary as concepts a query can name: tracks, challenges and services, found by
their names and the words people use for them ("old town" names Smart destination management).

Matching is on analysed terms (the index's analysis: lower case, accents folded, stemmed, stop
words left out), so "refugee" meets "refugees" and "old towns" meets "old town". A phrase matches
as a run of consecutive terms of the analysed text; where two matched phrases overlap, the longer
one wins ("empty buses off-peak" over "buses").

Languages: the vocabulary is the bridge between them. Each phrase (and each term's name in
every interface language, its ``labels``) is analysed with its own language's analyser, and the
question is analysed in each of its languages (languages.query_languages); a phrase matches
when one of those analyses holds it. "movilidad urbana" then names the urban mobility track,
whose entries are found whatever language they are written in.

``current()`` builds the matcher from the database once per process and app, and builds it again
when the vocabulary revision (a counter row that every curator's change to a name, a retirement
or a phrase bumps in its own transaction) or the number of terms or phrases has changed: one
small query per call, right for any number of processes sharing the database.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import Challenge, TaxonomyPhrase, Track, TransversalService, VocabularyRevision
from .languages import DEFAULT
from .query import analyse

FACETS = ("track", "challenge", "service")  # the index facets concepts are filed under


@dataclass(frozen=True)
class Concept:
    """One taxonomy term: ``value`` is its slug, the value of ``facet`` in the index."""

    facet: str  # "track", "challenge" or "service"
    value: str
    label: str  # the term's (English) name, matched like a phrase
    phrases: tuple[str, ...] = ()
    # The language of each phrase (English where it is left out), and the term's name in the
    # other interface languages as (language, name).
    phrase_languages: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()

    def named_by(self) -> list[tuple[str, str]]:
        """(phrase, language) of everything that names the term: names first, then phrases."""
        languages = self.phrase_languages or ()
        phrases = [
            (phrase, languages[i] if i < len(languages) else DEFAULT)
            for i, phrase in enumerate(self.phrases)
        ]
        return [(self.label, DEFAULT), *((name, lang) for lang, name in self.labels), *phrases]


class Concepts:
    """A matcher over a fixed list of concepts (build a new one when the vocabulary changes)."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self._concepts = tuple(concepts)
        # Analysed phrase -> the concepts it names, with the phrase as written.
        self._named: dict[tuple[str, ...], list[tuple[Concept, str]]] = {}
        # First term of an analysed phrase -> the lengths of the phrases starting with it.
        self._lengths: dict[str, set[int]] = {}
        for concept in self._concepts:
            for phrase, language in concept.named_by():
                terms = tuple(analyse(phrase, language))
                if not terms:  # only stop words: it would name nothing in particular
                    continue
                named = self._named.setdefault(terms, [])
                if all(known is not concept for known, _ in named):
                    named.append((concept, phrase))
                self._lengths.setdefault(terms[0], set()).add(len(terms))

    def __len__(self) -> int:
        return len(self._concepts)

    def __iter__(self) -> Iterator[Concept]:
        return iter(self._concepts)

    def match(self, text: str, languages: Sequence[str] = (DEFAULT,)) -> list[tuple[Concept, str]]:
        """The concepts ``text`` names, read in each of ``languages``, each once with the phrase
        that named it, in the order they appear in the text (the first language's first)."""
        found: list[tuple[Concept, str]] = []
        seen: set[tuple[str, str]] = set()
        for language in dict.fromkeys(languages or (DEFAULT,)):
            for concept, phrase in self.match_terms(analyse(text or "", language)):
                if (concept.facet, concept.value) not in seen:
                    seen.add((concept.facet, concept.value))
                    found.append((concept, phrase))
        return found

    def match_terms(self, terms: Sequence[str]) -> list[tuple[Concept, str]]:
        """As ``match``, for terms analysed already (such as a parsed query's words)."""
        terms = tuple(terms)
        spans = [
            (start, start + length)
            for start, term in enumerate(terms)
            for length in self._lengths.get(term, ())
            if terms[start : start + length] in self._named
        ]
        spans.sort(key=lambda span: (span[0] - span[1], span[0]))  # longest, then leftmost
        taken = [False] * len(terms)
        chosen = []
        for start, end in spans:
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                chosen.append((start, end))
        found: list[tuple[Concept, str]] = []
        seen: set[tuple[str, str]] = set()
        for start, end in sorted(chosen):
            for concept, phrase in self._named[terms[start:end]]:
                if (concept.facet, concept.value) not in seen:
                    seen.add((concept.facet, concept.value))
                    found.append((concept, phrase))
        return found


@dataclass(frozen=True)
class _Built:
    stamp: tuple
    concepts: Concepts


_EXTENSION = "marketplace.concepts"
_lock = threading.Lock()


def stamp() -> tuple:
    """What the matcher is built from, in one query: the vocabulary revision, and the numbers
    of terms and phrases (which also catch rows written without the curators' services)."""

    def count(model: type) -> object:
        return select(func.count()).select_from(model).scalar_subquery()

    revision = select(VocabularyRevision.revision).where(VocabularyRevision.id == 1)
    row = db.session.execute(
        select(
            revision.scalar_subquery(),
            count(Track),
            count(Challenge),
            count(TransversalService),
            count(TaxonomyPhrase),
        )
    ).one()
    return tuple(row)


def load() -> Concepts:
    """Every term offered today (not retired; a challenge also not in a retired track) with its
    phrases in every language."""
    words: dict[tuple[str, int], list[tuple[str, str]]] = {}
    rows = db.session.execute(
        select(
            TaxonomyPhrase.kind,
            TaxonomyPhrase.term_id,
            TaxonomyPhrase.phrase,
            TaxonomyPhrase.language,
        )
        .where(TaxonomyPhrase.removed.is_(False))
        .order_by(TaxonomyPhrase.language, TaxonomyPhrase.position, TaxonomyPhrase.id)
    )
    for kind, term_id, phrase, language in rows:
        words.setdefault((kind, term_id), []).append((phrase, language or DEFAULT))
    terms = [
        ("track", select(Track).where(Track.retired.is_(False))),
        (
            "challenge",
            select(Challenge)
            .join(Challenge.track)
            .where(Challenge.retired.is_(False), Track.retired.is_(False)),
        ),
        ("service", select(TransversalService).where(TransversalService.retired.is_(False))),
    ]
    return Concepts(
        Concept(
            facet,
            term.slug,
            term.name,
            tuple(phrase for phrase, _ in words.get((facet, term.id), ())),
            tuple(language for _, language in words.get((facet, term.id), ())),
            tuple(sorted((lang, name) for lang, name in (term.labels or {}).items() if name)),
        )
        for facet, query in terms
        for term in db.session.scalars(query)
    )


def current() -> Concepts:
    """The matcher for the current app's vocabulary, rebuilt only when ``stamp()`` changed."""
    return checked()[1]


def checked() -> tuple[tuple, Concepts]:
    """``current()`` with the stamp it was checked against (the page keys its labels on it
    rather than asking the database again)."""
    now = stamp()
    built: _Built | None = current_app.extensions.get(_EXTENSION)
    if built is None or built.stamp != now:
        with _lock:
            built = current_app.extensions.get(_EXTENSION)
            if built is None or built.stamp != now:
                built = _Built(now, load())
                current_app.extensions[_EXTENSION] = built
    return now, built.concepts
