"""Title suggestions as a visitor types in the search box (`GET /search/suggest`)."""

from __future__ import annotations

from whoosh import query as q

from . import live, tracking
from .query import clean
from .schema import SPELLING_ANALYZER


def suggest_titles(text: str, limit: int = 8) -> list[dict[str, str]]:
    """Published titles holding every typed word, the last one maybe unfinished.

    Words are matched as written (folded, not stemmed) in the ``title_words`` field: a prefix of
    a stemmed word may match nothing. No index yet: no suggestions.
    """
    words = [token.text for token in SPELLING_ANALYZER(clean(text))]
    tracking.catch_up()
    generation = live.generation()
    if not words or generation is None:
        return []
    *complete, last = words
    query = q.And([*(q.Term("title_words", w) for w in complete), q.Prefix("title_words", last)])
    found = generation.searcher.search(query, limit=limit)
    return [{"slug": hit["slug"], "title": hit["title"]} for hit in found]
