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

from . import languages
from .languages import DEFAULT
from .schema import TEXT_FIELDS

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


# A typed word: its one term, or the tuple of its distinct terms when its analyses in the query's
# languages differ ("aumentaron": English keeps it whole, Spanish stems it to "aument"). It is
# one word the person typed: its terms are scored together, as one (fast.py).
Word = str | tuple[str, ...]


@dataclass
class ParsedQuery:
    """The user's text split into what to look for and what to exclude (analysed terms)."""

    # Distinct words in the order typed, each with its weight: how often it was typed (qtf).
    words: dict[Word, float] = field(default_factory=dict)
    # Each phrase once per distinct analysis in the query's languages (any of them matches).
    phrases: list[list[str]] = field(default_factory=list)
    excluded: list[list[str]] = field(default_factory=list)
    # What ranks a search with phrases: the words' and the phrases' words, weighted alike.
    ranked: dict[Word, float] = field(default_factory=dict)
    # The languages the text was analysed in, the likeliest first.
    languages: tuple[str, ...] = (DEFAULT,)

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases)

    def terms(self) -> set[str]:
        """Every index term of the words and phrases (what highlights mark)."""
        found = {term for phrase in self.phrases for term in phrase}
        for word in self.words:
            found.update(alternatives(word))
        return found


def alternatives(word: Word) -> tuple[str, ...]:
    """The terms of a word (one, or its analyses in several languages)."""
    return (word,) if isinstance(word, str) else word


def clean(text: str | None) -> str:
    """Drop control and format characters, normalise, and cut to MAX_CHARS."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    kept = (ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join("".join(kept).split())[:MAX_CHARS]


def analyse(text: str, language: str = DEFAULT) -> list[str]:
    """The index terms of ``text`` in ``language`` (lower-cased, accent-folded, stemmed, stop
    words dropped); English unless told."""
    return languages.analyse(text, language)


def _analyses(text: str, langs: tuple[str, ...]) -> list[list[str]] | None:
    """``text``'s distinct analyses in ``langs``, the first language's first; None when it is
    a stop word in one of them (a stop word of the question's language is no word to look for,
    whatever another language makes of it)."""
    found: list[list[str]] = []
    for language in langs:
        terms = analyse(text, language)
        if not terms:
            return None
        if terms not in found:
            found.append(terms)
    return [terms for terms in found if terms] or None


def _words(analyses: list[list[str]]) -> list[Word]:
    """The words of one typed token: position by position, the terms its analyses agree on
    in length ("e-learning" is two words in every language); an analysis of another length
    only adds nothing."""
    first = analyses[0]
    words: list[Word] = []
    for i, term in enumerate(first):
        terms = tuple(dict.fromkeys([term, *(a[i] for a in analyses[1:] if len(a) == len(first))]))
        words.append(terms[0] if len(terms) == 1 else terms)
    return words


def parse(text: str | None, langs: tuple[str, ...] = (DEFAULT,)) -> ParsedQuery:
    """Read ``text`` in the languages ``langs`` (the likeliest first: see languages.py)."""
    langs = tuple(langs) or (DEFAULT,)
    parsed = ParsedQuery(languages=langs)
    typed: dict[Word, int] = {}
    in_phrases: dict[Word, int] = {}
    for match in _TOKEN.finditer(clean(text)):
        phrase_not, phrase, word_not, word = match.groups()
        raw = phrase if phrase is not None else word
        analyses = _analyses(raw, langs)
        if phrase is not None and analyses is None and raw.strip():
            # A phrase may start with a stop word: it is read by each language that keeps words.
            analyses = [a for a in (analyse(raw, lang) for lang in langs) if a] or None
        if not analyses:
            continue
        if phrase_not or word_not:
            parsed.excluded.extend(analyses)
        elif phrase is not None and max(map(len, analyses)) > 1:
            parsed.phrases.extend(a for a in analyses if len(a) > 1)
            for part in raw.split():
                for one in _words(_analyses(part, langs) or [[]]):
                    in_phrases[one] = in_phrases.get(one, 0) + 1
        else:
            # A "word" like e-learning analyses to several terms: each counts as a word.
            for one in _words(analyses):
                if one in typed or len(typed) < MAX_TERMS:
                    typed[one] = typed.get(one, 0) + 1
    parsed.words = {one: query_weight(n) for one, n in typed.items()}
    if parsed.phrases:
        every = {**typed}
        for one, n in in_phrases.items():
            every[one] = every.get(one, 0) + n
        parsed.ranked = {one: query_weight(n) for one, n in every.items()}
    return parsed


def query_weight(typed: int) -> float:
    """The weight of a term typed ``typed`` times (1 for once)."""
    if QTF_K3 is None:
        return float(typed)
    return (QTF_K3 + 1) * typed / (QTF_K3 + typed)


def _any_field(word: Word) -> q.Query:
    return q.Or([q.Term(name, term) for term in alternatives(word) for name in TEXT_FIELDS])


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
