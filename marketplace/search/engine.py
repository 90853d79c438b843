"""Running one catalogue search: match set, facet counts, ranking, spelling suggestion.

Match sets are bitsets over document numbers of one searcher generation. Filters are OR within
a facet and AND across facets; each facet's counts use every active filter except its own, so a
count is exactly the number of results ticking that value would give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from whoosh import query as q

from . import fast, fusion, hit_ids, live, tracking
from .fusion import Hit, Ranker
from .index import NoIndex
from .languages import DEFAULT, query_languages, spelling_languages
from .query import ParsedQuery, alternatives, clean, excluded_query, parse, to_query
from .schema import FACETS

SORTS = ("relevance", "newest", "title")


@dataclass(frozen=True)
class SearchRequest:
    """One search, with the sort it applies.

    The sort is decided here and only here: relevance needs words to rank by, so an empty or
    exclusion-only query (or an unknown sort) lists newest first, and the page's sort menu,
    reading ``sort``, shows what was applied.
    """

    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    exact: bool = False  # search the text as typed: no automatic spelling correction
    # The interface language: the text is read in it and in the languages it is detected in.
    language: str = DEFAULT

    def __post_init__(self) -> None:
        sort = self.sort if self.sort in SORTS else "relevance"
        if sort == "relevance" and self.parsed().is_empty:
            sort = "newest"
        object.__setattr__(self, "sort", sort)  # frozen: set once, while being created

    def parsed(self, among: frozenset[str] | None = None) -> ParsedQuery:
        """The text read in its languages, the likeliest first, detected ``among`` these
        (languages.py)."""
        return parse(self.text, query_languages(clean(self.text), self.language, among))


@dataclass
class SearchOutcome:
    total: int
    hits: list[Hit]
    # facet -> value -> count; values with no result are left out unless selected
    counts: dict[str, dict[str, int]]
    parsed: ParsedQuery
    suggestion: str | None = None
    # When a search found nothing and its spelling correction ran instead: what was typed, and
    # the correction searched.
    corrected_from: str | None = None
    corrected_to: str | None = None
    # Results holding the question's words (the rest were found by meaning or by a concept).
    by_words: int = 0
    # Taxonomy terms the question names (concepts.py), with the phrase that named each.
    concepts: list = field(default_factory=list)
    # The vocabulary stamp (concepts.stamp) the search read its concepts at, if it read them.
    vocabulary: tuple | None = None


def _generation() -> live.Generation:
    """The live generation; never a rebuild here: at 100,000 entries one takes minutes."""
    generation = live.generation()
    if generation is None:
        raise NoIndex("No search index yet: run `flask --app marketplace search rebuild`.")
    return generation


def _union(values: dict[str, live.Bitset], wanted: tuple[str, ...]) -> live.Bitset:
    bits = 0
    for value in wanted:
        bits |= values.get(value, 0)
    return bits


def _facet_counts(
    generation: live.Generation, match: live.Bitset, selected: dict[str, live.Bitset], request
) -> dict[str, dict[str, int]]:
    counts = {}
    for name in FACETS:
        base = match
        for other, bits in selected.items():
            if other != name:
                base &= bits
        wanted = set(request.filters.get(name, ()))
        values = {}
        for value, bits in generation.facets[name].items():
            n = (base & bits).bit_count()
            if n or value in wanted:
                values[value] = n
        for value in wanted - values.keys():
            values[value] = 0  # an unknown or emptied value stays visible while selected
        counts[name] = values
    return counts


def _selected(generation: live.Generation, request: SearchRequest) -> dict[str, live.Bitset]:
    return {
        name: _union(generation.facets[name], values)
        for name, values in request.filters.items()
        if name in generation.facets and values
    }


def run(request: SearchRequest) -> SearchOutcome:
    """Search the live index; a search that finds nothing runs its spelling correction instead.

    The outcome of a corrected search says what was typed (``corrected_from``); a request with
    ``exact`` searches what was typed, whatever it finds.

    :raises NoIndex: when no index has been built yet (`search rebuild`, run by `make run`).
    """
    tracking.catch_up()  # what other web nodes committed since this one last looked
    outcome = _run(request)
    # "Finds nothing" counts the question's words: entries close in meaning come to almost any
    # question, misspelled or not.
    if outcome.by_words or request.exact or not outcome.suggestion:
        return outcome
    corrected = _run(replace(request, text=outcome.suggestion))
    if not corrected.by_words:
        return outcome
    corrected.corrected_from, corrected.corrected_to = request.text, outcome.suggestion
    corrected.suggestion = None
    return corrected


def _run(request: SearchRequest) -> SearchOutcome:
    generation = _generation()
    parsed = request.parsed(generation.languages)
    if parsed.is_empty and request.sort == "relevance":
        # Read among the catalogue's languages, the text may be stop words only ("de" is a
        # word of Dutch, a stop word of Spanish): nothing to rank by, as __post_init__ says.
        request = replace(request, sort="newest")
    pending = fusion.start(generation, parsed, request.text)  # embeds while the words are matched
    match, rank = _match(generation, parsed)
    by_words = match
    # The second stage: see fusion.py for what the total then counts.
    stage = fusion.second_stage(generation, parsed, request.text, match, rank, pending)
    match, rank = stage.match, stage.rank
    selected = _selected(generation, request)
    results = match
    for bits in selected.values():
        results &= bits
        by_words &= bits
    total = results.bit_count()
    offset = (request.page - 1) * request.per_page
    hits = rank(results, request.sort, offset, request.per_page) if offset < total else []
    return SearchOutcome(
        total,
        hits,
        _facet_counts(generation, match, selected, request),
        parsed,
        generation.speller.correction(
            clean(request.text),
            spelling_languages(clean(request.text), request.language, generation.languages),
        )
        if request.text
        else None,
        by_words=by_words.bit_count(),
        concepts=stage.concepts,
        vocabulary=stage.vocabulary,
    )


def _match(generation: live.Generation, parsed: ParsedQuery) -> tuple[live.Bitset, Ranker]:
    """The match set and its ranking (the tests compare it with ``_whoosh_match``)."""
    return _fast_match(generation, parsed)


def _fast_match(generation: live.Generation, parsed: ParsedQuery) -> tuple[live.Bitset, Ranker]:
    """Match set and ranking from the generation's arrays (fast.py): phrases matched from the
    terms' positions, ranked as every other search over the words and the phrases' words."""
    vectors = generation.vectors
    scores = None
    match = generation.live
    if parsed.phrases:
        scores, _ = vectors.score(parsed.ranked or parsed.words)
        wanted = vectors.any_of(term for word in parsed.words for term in alternatives(word))
        for terms in parsed.phrases:
            wanted |= vectors.phrase(terms)
        match &= fast.to_bits(wanted)
    elif parsed.words:
        scores, matched = vectors.score(parsed.words)
        match &= fast.to_bits(matched)
    if parsed.excluded:
        unwanted = vectors.any_of(terms[0] for terms in parsed.excluded if len(terms) == 1)
        for terms in parsed.excluded:
            if len(terms) > 1:
                unwanted |= vectors.phrase(terms)
        match &= ~fast.to_bits(unwanted)

    def rank(results: live.Bitset, sort: str, offset: int, count: int) -> list[Hit]:
        candidates = np.flatnonzero(fast.to_array(results, vectors.size))
        if sort == "relevance":
            key = scores
        elif sort == "newest":
            key = vectors.sort_ranks("published")
        else:
            key = -vectors.sort_ranks("title_sort")
        top = vectors.top(candidates, key, offset + count)[offset:]
        docnums = top.tolist()
        ids = hit_ids.entry_ids(vectors, docnums)
        if sort != "relevance":
            return [Hit(entry, None) for entry in ids]
        pairs = zip(ids, docnums, strict=True)
        return [Hit(entry, float(scores[docnum])) for entry, docnum in pairs]

    return match, rank


def _whoosh_match(generation: live.Generation, parsed: ParsedQuery) -> tuple[live.Bitset, Ranker]:
    """The reference: the match set through Whoosh's public API (its own phrase matching),
    ranked by the vectorised scorer over the phrases' and words' terms."""
    searcher = generation.searcher
    query = to_query(parsed)
    match = generation.live
    if not isinstance(query, q.Every):
        match &= live.bitset(sorted(searcher.docs_for_query(query)))
    excluded = excluded_query(parsed)
    if excluded is not None:  # subtracted here: Whoosh's AndNot lets some excluded ones through
        match &= ~live.bitset(sorted(searcher.docs_for_query(excluded)))

    # Ranked as every other search is, over the words and the phrases' words (fast.py).
    _, rank = _fast_match(generation, ParsedQuery(words=parsed.ranked or parsed.words))
    return match, rank
