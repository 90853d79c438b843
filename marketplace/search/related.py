"""Entries related to some text: titles as a visitor types them, and similar solutions."""

from __future__ import annotations

from whoosh import query as q

from . import live
from .query import clean
from .schema import SPELLING_ANALYZER

SIMILAR_TERMS = 12  # distinctive words of an entry that "similar solutions" look for
SIMILAR_FIELDS = ("description", "impact")  # the body text: boosted titles would dominate


def suggest_titles(text: str, limit: int = 8) -> list[dict[str, str]]:
    """Published titles holding every typed word, the last one maybe unfinished (autocomplete)."""
    words = [token.text for token in SPELLING_ANALYZER(clean(text))]
    generation = live.generation()
    if not words or generation is None:
        return []
    *complete, last = words
    query = q.And([*(q.Term("title_words", w) for w in complete), q.Prefix("title_words", last)])
    found = generation.searcher.search(query, limit=limit)
    return [{"slug": hit["slug"], "title": hit["title"]} for hit in found]


def similar(solution_id: int, text: str, limit: int = 4) -> list[int]:
    """Ids of the published entries closest to ``text`` (an entry's words), itself left out."""
    generation = live.generation()
    if generation is None or not text.strip():
        return []
    searcher = generation.searcher
    docnum = searcher.document_number(id=str(solution_id))
    mask = {docnum} if docnum is not None else set()
    terms = searcher.key_terms_from_text("description", text, numterms=SIMILAR_TERMS)
    query = q.Or(
        [q.Term(name, word, boost=weight) for word, weight in terms for name in SIMILAR_FIELDS]
    )
    return [int(hit["id"]) for hit in searcher.search(query, limit=limit, mask=mask)]
