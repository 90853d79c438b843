"""'Did you mean ...?': misspelled words replaced by the closest word the index holds."""

from __future__ import annotations

from whoosh.searching import Searcher

from .query import analyse
from .schema import SPELLING_ANALYZER, TEXT_FIELDS

SPELLING_MIN_LENGTH = 4


def _known_stem(reader, word: str) -> bool:
    terms = analyse(word)
    return bool(terms) and all(
        any(reader.doc_frequency(name, term) for name in TEXT_FIELDS) for term in terms
    )


def correction(searcher: Searcher, text: str) -> str | None:
    """The typed text with misspelled words replaced by the closest indexed word, or None.

    A word is misspelled when the index never saw it as written. Its closest indexed word is
    offered when the word finds nothing at all, or when both stem alike ("retrofiting" finds
    "retrofit" entries, yet "retrofitting" is what was meant); a rare form of a known word
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
        candidates = searcher.suggest("spell", word, limit=1, maxdist=2)
        if not candidates:
            continue
        if _known_stem(reader, word) and analyse(candidates[0]) != analyse(word):
            continue
        original = text[token.startchar : token.endchar]
        corrected = corrected.replace(original, candidates[0], 1)
        changed = True
    return corrected if changed else None
