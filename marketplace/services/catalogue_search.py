"""The catalogue search page: engine results joined with the database, labelled for people."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import i18n, search, vocab
from ..extensions import db
from ..markup import plain_text
from ..models import SDG, Challenge, City, Solution, Track, TransversalService
from ..search import concepts
from ..search.engine import SearchOutcome, SearchRequest
from ..vocab import Status
from . import versions
from .catalogue import LIST_OPTIONS

FACET_TITLES = {
    "track": _l("Thematic track"),
    "challenge": _l("Challenge"),
    "service": _l("Transversal service"),
    "country": _l("Country"),
    "city": _l("City"),
    "kind": _l("Kind"),
    "maturity": _l("Maturity"),
    "sdg": _l("Sustainable Development Goal"),
    "cost": _l("Set-up cost"),
    "language": _l("Language"),
}
# Facets listed in their vocabulary's own order rather than by count.
FIXED_ORDER = {"kind": list(vocab.KINDS), "maturity": list(vocab.MATURITIES),
               "cost": list(vocab.COST_BANDS)}  # fmt: skip


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    shown_count: str = ""  # the count as the interface language writes numbers


@dataclass
class Facet:
    name: str
    title: str
    values: list[FacetValue]

    @property
    def selected(self) -> list[FacetValue]:
        return [value for value in self.values if value.selected]


@dataclass
class Result:
    solution: Solution
    score: float | None
    highlight: Markup | None
    # What connected it to the question besides the highlighted words ("Similar in meaning").
    why: tuple[str, ...] = ()
    # The version shown (versions.shown): in the interface language when the entry has
    # one, else the original; cards read title and summary here and mark ``language``.
    title: str = ""
    summary: str = ""
    language: str = field(default="en")


@dataclass
class ResultPage:
    request: SearchRequest
    total: int
    results: list[Result]
    facets: list[Facet]
    suggestion: str | None
    # Set when nothing matched what was typed and its correction was searched instead.
    corrected_from: str | None = None
    corrected_to: str | None = None

    @property
    def active_filters(self) -> list[tuple[Facet, FacetValue]]:
        return [(facet, value) for facet in self.facets for value in facet.selected]


_LABELS = "marketplace.facet_labels"  # app.extensions: (stamp, {language: term labels})
_labels_lock = threading.Lock()


def _term_labels(stamp: tuple | None = None) -> dict[str, dict[str, str]]:
    """Tracks', challenges', services' and SDGs' labels in the interface language, kept per
    vocabulary stamp: every change of a term's names in any language bumps its revision
    (services/phrases.py), and a new term changes its counts. ``stamp``: the one this request
    already read (a search's), else it is read here."""

    def terms(model) -> dict[str, str]:
        rows = db.session.execute(select(model.slug, model.name, model.labels))
        return {row.slug: i18n.term_label(row) for row in rows}

    stamp, language = stamp or concepts.stamp(), i18n.current_language()
    kept = current_app.extensions.get(_LABELS)
    if kept is None or kept[0] != stamp:
        kept = (stamp, {})
    if language not in kept[1]:
        sdgs = db.session.execute(select(SDG.number, SDG.name, SDG.labels))
        labels = {
            "track": terms(Track),
            "challenge": terms(Challenge),
            "service": terms(TransversalService),
            "sdg": {str(row.number): f"{row.number}. {i18n.term_label(row)}" for row in sdgs},
        }
        with _labels_lock:
            kept = (stamp, {**kept[1], language: labels})
            current_app.extensions[_LABELS] = kept
    return kept[1][language]


def _labels(cities: Iterable[str], stamp: tuple | None = None) -> dict[str, dict[str, str]]:
    """Each facet's values as people read them, taxonomy terms in the interface language."""

    def words(vocabulary: dict) -> dict[str, str]:
        return {value: str(label) for value, label in vocabulary.items()}

    slugs = list(cities)
    named = select(City.slug, City.name).where(City.slug.in_(slugs)) if slugs else None
    return {
        **_term_labels(stamp),
        "city": dict(db.session.execute(named).all()) if slugs else {},
        "kind": words(vocab.KINDS),
        "maturity": words(vocab.MATURITIES),
        "cost": words(vocab.COST_BANDS),
    }


def _label(
    name: str, value: str, labels: dict[str, dict[str, str]], language: str | None = None
) -> str:
    if name == "country":
        return i18n.country_name(value, language)
    if name == "language":
        return i18n.language_name(value, language)
    return labels.get(name, {}).get(value, value)


def filter_labels(request: SearchRequest) -> list[tuple[str, list[str]]]:
    """The filters of ``request`` as people read them: (facet title, value labels) pairs."""
    labels = _labels(request.filters.get("city", ()))
    return [
        (str(title), [_label(name, value, labels) for value in request.filters[name]])
        for name, title in FACET_TITLES.items()
        if request.filters.get(name)
    ]


def _facets(outcome: SearchOutcome, request: SearchRequest) -> list[Facet]:
    labels = _labels(outcome.counts.get("city", {}), outcome.vocabulary)
    number, language = i18n.number_format(), i18n.current_language()
    facets = []
    for name, title in FACET_TITLES.items():
        chosen = set(request.filters.get(name, ()))
        values = [
            FacetValue(
                value, _label(name, value, labels, language), count, value in chosen, number(count)
            )
            for value, count in outcome.counts.get(name, {}).items()
        ]
        if name in FIXED_ORDER:
            order = FIXED_ORDER[name]
            values.sort(key=lambda v: order.index(v.value) if v.value in order else len(order))
        elif name == "sdg":
            values.sort(
                key=lambda v: int(v.value) if v.value.isascii() and v.value.isdigit() else 99
            )
        else:
            values.sort(key=lambda v: (-v.count, v.label.casefold()))
        facets.append(Facet(name, str(title), values))  # translated once, read three times
    return facets


# A result card's city joined in, its challenges with their tracks in one more query (two
# queries rather than CARD_OPTIONS' four; listings keep theirs, planned around their indexes).
RESULT_OPTIONS = (
    joinedload(Solution.city),
    selectinload(Solution.challenges).joinedload(Challenge.track),
)


def _rows(ids: list[int], options=RESULT_OPTIONS) -> dict[int, Solution]:
    """The hits' entries, re-checked: an entry unpublished since the index saw it is dropped."""
    if not ids:
        return {}
    # The status is checked here, not in SQL: given both, SQLite's planner walks the status
    # index (every published entry: 1.4 ms at 10,000) instead of looking the ids up.
    rows = db.session.scalars(select(Solution).where(Solution.id.in_(ids)).options(*options))
    return {row.id: row for row in rows if row.status == Status.PUBLISHED}


def _highlight(version, language: str, terms: set[str]) -> Markup | None:
    return search.snippet(_texts(version), terms, language)


# The Markdown fields of the entries searches show, as plain text: a page's entries come back
# on its next page and with each facet ticked. Keyed by the text itself (a few KB each).
_plain = lru_cache(maxsize=2048)(plain_text)


def _texts(version) -> Iterator[str]:
    """The texts a snippet may come from, in order; lazily: the Markdown fields after the one
    holding a word are never converted."""
    yield version.summary
    for text in (version.description, version.impact, version.lessons):
        yield _plain(text)


def _result(
    hit: search.Hit, solution: Solution, shown: versions.Version, outcome: SearchOutcome, terms
) -> Result:
    highlight = _highlight(shown, shown.language, terms)
    why = _why(hit, solution, outcome.concepts)
    return Result(solution, hit.score, highlight, why, shown.title, shown.summary, shown.language)


def _why(hit: search.Hit, solution: Solution, named: list) -> tuple[str, ...]:
    """What connected an entry to the question besides its highlighted words."""
    about = []
    for concept, phrase in named:
        if concept.facet == "track":
            filed = solution.tracks
        elif concept.facet == "challenge":
            filed = solution.challenges
        else:
            filed = solution.services
        term = next((term for term in filed if term.slug == concept.value), None)
        if term is not None:
            about.append(
                _("About: %(term)s (“%(phrase)s”)", term=i18n.term_label(term), phrase=phrase)
            )
    if hit.by_meaning and not hit.by_words:  # words it shares are highlighted in its snippet
        about.append(_("Similar in meaning (none of your words)"))
    return tuple(about)


def search_catalogue(request: SearchRequest) -> ResultPage:
    """One page of published entries for ``request``, with facets and a spelling suggestion."""
    outcome = search.run(replace(request, language=i18n.current_language()))
    options = RESULT_OPTIONS
    if any(concept.facet == "service" for concept, _phrase in outcome.concepts):
        options = (*options, selectinload(Solution.services))  # read by _why, not one a card
    rows = _rows([hit.id for hit in outcome.hits], options)
    terms = outcome.parsed.terms()
    shown = versions.shown_for(rows.values())
    results = [
        _result(hit, rows[hit.id], shown[hit.id], outcome, terms)
        for hit in outcome.hits
        if hit.id in rows
    ]
    return ResultPage(
        request,
        outcome.total,
        results,
        _facets(outcome, request),
        outcome.suggestion,
        outcome.corrected_from,
        outcome.corrected_to,
    )


def similar_entries(solution: Solution, limit: int = 4) -> list[Solution]:
    """Published entries that read most like ``solution`` (more-like-this over its text)."""
    text = " ".join((solution.title, solution.summary, plain_text(solution.description)))
    ids = search.similar(solution.id, text, limit=limit, language=solution.language)
    rows = _rows(ids, LIST_OPTIONS)  # shown as cards of their own: with their translations
    return [rows[i] for i in ids if i in rows]
