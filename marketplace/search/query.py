"""Turning what a person typed into a Whoosh query, without ever failing on odd input.

Whoosh's own query parser raises on some malformed input and reads `field:`, `*` and `AND OR NOT`
as syntax. People here type problems in plain words, so the text is read with a small grammar of
our own: words (all optional, more matches rank higher), "quoted phrases", and -word or -"phrase"
to exclude. Everything else is a word character or a separator.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from whoosh import query as q

from .schema import ANALYZER, TEXT_FIELDS

MAX_CHARS = 500  # longer input is cut: a question never needs more
# Distinct terms kept, in the order typed; later new ones are dropped (a repeat still counts).
# Each term costs postings reads and a score pass over seven fields: 32 made a 60-word question
# cost four times a plain search, 16 about twice (bench/long_query_bench.py).
MAX_TERMS = 16
# A word typed n times weighs (QTF_K3 + 1) * n / (QTF_K3 + n), BM25's query-term frequency: a
# question says what matters by repeating it. None weighs it n (plain qtf): measured on Cranfield
# (bench/relevance.py), see README.
QTF_K3: float | None = 2.0

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


@dataclass
class ParsedQuery:
    """The user's text split into what to look for and what to exclude (analysed terms)."""

    # Distinct terms in the order typed, each with its weight: how often it was typed (qtf).
    words: dict[str, float] = field(default_factory=dict)
    phrases: list[list[str]] = field(default_factory=list)
    excluded: list[list[str]] = field(default_factory=list)
    # What ranks a search with phrases: the words' and the phrases' terms, weighted alike.
    ranked: dict[str, float] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases)


def clean(text: str | None) -> str:
    """Drop control and format characters, normalise, and cut to MAX_CHARS."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    kept = (ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join("".join(kept).split())[:MAX_CHARS]


def analyse(text: str) -> list[str]:
    """The index terms of ``text`` (lower-cased, accent-folded, stemmed, stop words dropped)."""
    return [token.text for token in ANALYZER(text)]


def parse(text: str | None) -> ParsedQuery:
    parsed = ParsedQuery()
    typed: dict[str, int] = {}
    in_phrases: dict[str, int] = {}
    for match in _TOKEN.finditer(clean(text)):
        phrase_not, phrase, word_not, word = match.groups()
        terms = analyse(phrase if phrase is not None else word)
        if not terms:
            continue
        if phrase_not or word_not:
            parsed.excluded.append(terms)
        elif phrase is not None and len(terms) > 1:
            parsed.phrases.append(terms)
            for term in terms:
                in_phrases[term] = in_phrases.get(term, 0) + 1
        else:
            # A "word" like e-learning analyses to several terms: each counts as a word.
            for term in terms:
                if term in typed or len(typed) < MAX_TERMS:
                    typed[term] = typed.get(term, 0) + 1
    parsed.words = {term: query_weight(n) for term, n in typed.items()}
    if parsed.phrases:
        every = {**typed}
        for term, n in in_phrases.items():
            every[term] = every.get(term, 0) + n
        parsed.ranked = {term: query_weight(n) for term, n in every.items()}
    return parsed


def query_weight(typed: int) -> float:
    """The weight of a term typed ``typed`` times (1 for once)."""
    if QTF_K3 is None:
        return float(typed)
    return (QTF_K3 + 1) * typed / (QTF_K3 + typed)


def _any_field(term: str) -> q.Query:
    return q.Or([q.Term(name, term) for name in TEXT_FIELDS])


def _phrase_any_field(terms: list[str]) -> q.Query:
    if len(terms) == 1:
        return _any_field(terms[0])
    return q.Or([q.Phrase(name, terms) for name in TEXT_FIELDS])


def to_query(parsed: ParsedQuery) -> q.Query:
    """What to look for: every word optional (OR), phrases as phrases; empty means everything.

    Exclusions are left to the caller (``excluded_query``): whoosh-reloaded 2.7.5's AndNot keeps
    the first wanted document whenever the excluded side matched an earlier document first.
    """
    wanted = [_any_field(term) for term in parsed.words]
    wanted += [_phrase_any_field(terms) for terms in parsed.phrases]
    return q.Or(wanted) if wanted else q.Every()


def excluded_query(parsed: ParsedQuery) -> q.Query | None:
    """Documents holding any excluded word or phrase, or None when nothing is excluded."""
    if not parsed.excluded:
        return None
    return q.Or([_phrase_any_field(terms) for terms in parsed.excluded])
