"""'Did you mean ...?': misspelled words replaced by the closest word the index holds."""

from __future__ import annotations

from whoosh.searching import Searcher

from .query import analyse
from .schema import SPELLING_ANALYZER, TEXT_FIELDS

SPELLING_MIN_LENGTH = 4
MAX_REMEMBERED = 20_000  # corrections kept per index generation


def _known_stem(reader, word: str) -> bool:
    terms = analyse(word)
    return bool(terms) and all(
        any(reader.doc_frequency(name, term) for name in TEXT_FIELDS) for term in terms
    )


def _closest(searcher: Searcher, word: str, cache: dict[str, str | None]) -> str | None:
    """The indexed word to offer for ``word``, or None; remembered per index generation."""
    if word not in cache:
        if len(cache) >= MAX_REMEMBERED:
            cache.clear()
        reader = searcher.reader()
        # prefix=1: misspellings rarely change the first letter, and the lookup is far cheaper.
        candidates = searcher.suggest("spell", word, limit=1, maxdist=2, prefix=1)
        offer = candidates[0] if candidates else None
        if offer and _known_stem(reader, word) and analyse(offer) != analyse(word):
            offer = None
        cache[word] = offer
    return cache[word]


def correction(searcher: Searcher, text: str, cache: dict[str, str | None]) -> str | None:
    """The typed text with misspelled words replaced by the closest indexed word, or None.

    A word is misspelled when the titles and summaries never hold it as written. Its closest word
    there is offered when the word finds nothing at all, or when both stem alike ("retrofiting"
    finds "retrofit" entries, yet "retrofitting" is what was meant); a rare form of a known word
    ("retrain" next to "retraining") is left alone.
    """
    reader = searcher.reader()
    changed = False
    corrected = text
    for token in SPELLING_ANALYZER(text, positions=False, chars=True):
        word = token.text
        if len(word) < SPELLING_MIN_LENGTH or not word.isalpha():
            continue
        if reader.doc_frequency("spell", word):
            continue
        offer = _closest(searcher, word, cache)
        if offer:
            original = text[token.startchar : token.endchar]
            corrected = corrected.replace(original, offer, 1)
            changed = True
    return corrected if changed else None
