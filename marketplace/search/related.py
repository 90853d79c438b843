"""Entries related to an entry's text: similar solutions, and possible duplicates of a new one."""

from __future__ import annotations

from collections import Counter
from heapq import nlargest
from math import log2

import numpy as np
from whoosh import query as q
from whoosh.searching import Searcher

from . import fast, hit_ids, live
from .languages import DEFAULT
from .query import analyse, clean

SIMILAR_TERMS = 12  # distinctive words of an entry that "similar solutions" look for
# The text fields but the title: its 3x boost would let one shared title word decide.
SIMILAR_FIELDS = ("description", "impact", "lessons", "summary")
# Words too common in city write-ups to say two entries are the same.
STOP_WORDS = frozenset({"citi", "municip", "local"})
MAX_TOTALS = 200_000  # terms whose frequency a generation keeps (a few MB)


def key_terms(
    searcher: Searcher, text: str, language: str = DEFAULT, totals: dict[str, int] | None = None
) -> dict[str, float]:
    """The SIMILAR_TERMS most distinctive terms of ``text`` read in ``language``, weighted (the
    best weighs 1).

    Whoosh's key_terms_from_text (Bo1: frequent in the text, rare in the collection) over the
    SIMILAR_FIELDS together, where Whoosh's looks at one field and drops words absent from it.
    ``totals`` keeps each term's frequency over those fields for the searcher's generation
    (every entry page asks for a hundred-odd terms, mostly the same ones).
    """
    reader = searcher.reader()
    documents = reader.doc_count_all()
    totals = {} if totals is None else totals
    scored = []
    for term, count in Counter(analyse(clean(text), language)).items():
        total = totals.get(term)
        if total is None:
            total = sum(reader.frequency(name, term) for name in SIMILAR_FIELDS)
            if len(totals) < MAX_TOTALS:
                totals[term] = total
        if total:
            f = total / documents
            scored.append((count * log2((1 + f) / f) + log2(1 + f), term))
    best = nlargest(SIMILAR_TERMS, scored)
    return {term: weight / best[0][0] for weight, term in best}


def similar(solution_id: int, text: str, limit: int = 4, language: str = DEFAULT) -> list[int]:
    """Ids of the published entries closest to ``text`` (an entry's words, in ``language``),
    itself left out.

    Every entry holding a key term is scored (BM25F over SIMILAR_FIELDS, each term weighted):
    Whoosh's own top-N collection can miss the best ones on wide OR queries.
    """
    generation = live.generation()
    if generation is None or not text.strip():
        return []
    searcher, vectors = generation.searcher, generation.vectors
    terms = key_terms(searcher, text, language, generation.term_totals)
    if not terms:
        return []
    scores, matched = vectors.field_scores(terms, SIMILAR_FIELDS)
    candidates = generation.live & fast.to_bits(matched)
    docnum = searcher.document_number(id=str(solution_id))
    if docnum is not None:
        candidates &= ~(1 << docnum)
    top = vectors.top(np.flatnonzero(fast.to_array(candidates, vectors.size)), scores, limit)
    return hit_ids.entry_ids(vectors, top.tolist())


def _terms(text: str, language: str = DEFAULT) -> set[str]:
    return set(analyse(clean(text), language)) - STOP_WORDS


def duplicates(
    title: str,
    summary: str,
    exclude_id: int | None = None,
    limit: int = 3,
    language: str = DEFAULT,
) -> list[int]:
    """Ids of published entries that may describe the same thing as a new title and summary
    written in ``language`` (the candidates' stored original texts are read in it too).

    A candidate shares at least half of the title's significant (stemmed) words with its own
    title, or at least half of the summary's with its own summary.
    """
    generation = live.generation()
    title_terms, summary_terms = _terms(title, language), _terms(summary, language)
    if generation is None or not (title_terms or summary_terms):
        return []
    searcher = generation.searcher
    query = q.Or(
        [q.Term("title", word) for word in title_terms]
        + [q.Term("summary", word) for word in summary_terms]
    )
    found = []
    for hit in searcher.search(query, limit=limit * 5):
        if exclude_id is not None and int(hit["id"]) == exclude_id:
            continue
        same_title = title_terms and (
            len(title_terms & _terms(hit["title"], language)) * 2 >= len(title_terms)
        )
        same_summary = summary_terms and (
            len(summary_terms & _terms(hit["summary"], language)) * 2 >= len(summary_terms)
        )
        if same_title or same_summary:
            found.append(int(hit["id"]))
        if len(found) == limit:
            break
    return found
