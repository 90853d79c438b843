"""The Whoosh schema: text fields for ranking, facet fields for filtering, sortable fields."""

from __future__ import annotations

from functools import cache

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.support.charset import accent_map

# An English word at least this common (Zipf scale: 3 is once per million words) counts as a
# word when deciding what a plural's singular is.
ENGLISH_WORD_ZIPF = 3.0
# Plurals no suffix rule can tell apart from other forms of a word (Snowball leaves them apart).
IRREGULAR_PLURALS = {
    "children": "child",
    "crises": "crisis",
    "diagnoses": "diagnosis",
    "hypotheses": "hypothesis",
    "men": "man",
    "theses": "thesis",
    "women": "woman",
}


@cache
def _english_words() -> frozenset[str]:
    """English words at least ENGLISH_WORD_ZIPF common, from wordfreq's data (read once)."""
    from wordfreq import get_frequency_dict

    least = 10 ** (ENGLISH_WORD_ZIPF - 9)  # Zipf is log10 of frequency per billion words
    return frozenset(w for w, f in get_frequency_dict("en", wordlist="small").items() if f >= least)


def singular(word: str) -> str:
    """The singular of a plural Snowball would leave apart from it (buses -> bus), else ``word``.

    English adds -es after s, x, z, ch and sh. Snowball reads "buses" as "buse" + s, which keeps
    it from "bus"; "cases" really is "case" + s. A dictionary tells the two apart: the -es is
    dropped only when the word without its s is not an English word and without -es it is.
    """
    if word in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[word]
    if len(word) < 5 or not word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word
    known = _english_words()
    if word[:-1] in known:
        return word
    if word[:-2] in known:
        return word[:-2]
    if word.endswith("zzes") and word[:-3] in known:  # quizzes -> quiz
        return word[:-3]
    return word


class AcronymFilter(Filter):
    """Marks words written in capitals (IT, EU, SME) so the stop filter keeps them.

    A plural written with a small s (SMEs, NGOs) is the acronym itself: Snowball would keep
    "smes" apart from "sme".
    """

    def __call__(self, tokens):
        for token in tokens:
            text = token.text
            if len(text) >= 3 and text[-1] == "s" and _capitals(text[:-1]):
                token.text = text = text[:-1]
            token.acronym = _capitals(text)
            yield token


def _capitals(text: str) -> bool:
    return len(text) >= 2 and text.isalpha() and text.isupper()


class StopUnlessAcronym(StopFilter):
    """Whoosh's stop filter, except that a word marked by AcronymFilter is never a stop word.

    "jobs in IT" keeps "it": an upper-case acronym is a subject, not the pronoun.
    """

    def __call__(self, tokens):
        pos = None
        for token in tokens:
            text = token.text
            keep = getattr(token, "acronym", False) or (
                len(text) >= self.min
                and (self.max is None or len(text) <= self.max)
                and text not in self.stops
            )
            if keep:
                if self.renumber and token.positions:
                    pos = token.pos if pos is None else pos + 1
                    token.pos = pos
                token.stopped = False
                yield token
            elif not token.removestops:
                token.stopped = True
                yield token


class SingularFilter(Filter):
    """Plurals Snowball leaves apart from their singular, turned to the singular first."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = singular(token.text)
            yield token


# Acronyms marked before lower-casing, accent folding, stop words (acronyms kept), singulars, then
# English (Snowball) stemming: "guimaraes" finds "Guimarães", "retrofitting" finds "retrofit",
# "buses" finds "bus", "IT" is a word. Folding first, so the stemmer sees the same letters
# either way. Index and queries use this same analyser: changing it needs `search rebuild`.
ANALYZER = (
    RegexTokenizer()
    | AcronymFilter()
    | LowercaseFilter()
    | CharsetFilter(accent_map)
    | StopUnlessAcronym()
    | SingularFilter()
    | StemFilter(lang="en")
)
# Words as written (folded, not stemmed): titles for autocomplete, and every language without
# a Snowball stemmer (languages.py).
SPELLING_ANALYZER = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)

# The version of the analysis and fields above: an index built by another version must be rebuilt
# (`search check` says so). 2: plurals meet, capitals kept, the meaning fingerprint column.
# 3: every language version of an entry, each analysed in its language (languages.py).
VERSION = 3

# Facet fields: one keyword per value, several where an entry has several (challenges, SDGs, ...).
FACETS = (
    "track",
    "challenge",
    "service",
    "country",
    "city",
    "kind",
    "maturity",
    "sdg",
    "cost",
    "language",
)

# Field boosts multiply a word's frequency in the field before BM25F saturation (fast.py).
TITLE_BOOST = 3.0
SUMMARY_BOOST = 2.0

TEXT_FIELDS = ("title", "summary", "description", "impact", "lessons", "city_name", "provider")
# The text fields holding every language version of an entry (the others hold names).
VERSIONED_FIELDS = TEXT_FIELDS[:5]
VERSION_BITS = 3  # versions counted per field in the version_counts column (at most 7)


def build_schema() -> Schema:
    # The text fields hold every version of an entry, each marked with its language.
    from .languages import MultilingualAnalyzer, TaggedWords

    versions = MultilingualAnalyzer()
    facet_fields = {name: KEYWORD(stored=True, lowercase=False, scorable=False) for name in FACETS}
    return Schema(
        id=ID(unique=True, stored=True),
        slug=ID(stored=True),
        stamp=ID(stored=True),
        # Stored as the original version (documents.py passes it as ``_stored_title``).
        title=TEXT(analyzer=versions, field_boost=TITLE_BOOST, stored=True),
        summary=TEXT(analyzer=versions, field_boost=SUMMARY_BOOST, stored=True),
        description=TEXT(analyzer=versions),
        impact=TEXT(analyzer=versions),
        lessons=TEXT(analyzer=versions),
        city_name=TEXT(analyzer=ANALYZER, stored=True),
        provider=TEXT(analyzer=ANALYZER),
        # Each version's words as written, and again tagged with its language (languages.py).
        spell=TEXT(analyzer=TaggedWords(), phrase=False, spelling=True),
        # Title words as written, for autocomplete: a prefix of a stemmed word may match nothing.
        title_words=TEXT(analyzer=SPELLING_ANALYZER, phrase=False),
        published=DATETIME(sortable=True, stored=True),
        title_sort=ID(sortable=True),
        # Fingerprint of the text the sentence encoder reads (documents.meaning_hash), as a
        # column: it finds each document's vector in the store (vectors.py) by content.
        meaning=NUMERIC(numtype=int, bits=64, signed=False, sortable=True),
        # The languages of the entry's versions: which languages a query may be detected in.
        versions=KEYWORD(scorable=False),
        # How many versions each of VERSIONED_FIELDS holds, VERSION_BITS bits a field
        # (documents.version_counts): BM25F reads a field's length per version (fast.py).
        version_counts=NUMERIC(numtype=int, bits=32, signed=False, sortable=True),
        **facet_fields,
    )
