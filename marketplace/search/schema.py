"""The Whoosh schema: text fields for ranking, facet fields for filtering, sortable fields."""

from __future__ import annotations

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.support.charset import accent_map

# Accent folding, then English (Snowball) stemming: "guimaraes" finds "Guimarães",
# "retrofitting" finds "retrofit". Folding first, so the stemmer sees the same letters either way.
ANALYZER = (
    RegexTokenizer()
    | LowercaseFilter()
    | CharsetFilter(accent_map)
    | StopFilter()
    | StemFilter(lang="en")
)
# Words as written (folded, not stemmed) in titles and summaries: where "did you mean" looks.
SPELLING_ANALYZER = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)

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

TEXT_FIELDS = ("title", "summary", "description", "impact", "lessons", "city_name", "provider")


def build_schema() -> Schema:
    facet_fields = {name: KEYWORD(stored=True, lowercase=False, scorable=False) for name in FACETS}
    return Schema(
        id=ID(unique=True, stored=True),
        slug=ID(stored=True),
        stamp=ID(stored=True),
        title=TEXT(analyzer=ANALYZER, field_boost=3.0, stored=True),
        summary=TEXT(analyzer=ANALYZER, field_boost=2.0, stored=True),
        description=TEXT(analyzer=ANALYZER),
        impact=TEXT(analyzer=ANALYZER),
        lessons=TEXT(analyzer=ANALYZER),
        city_name=TEXT(analyzer=ANALYZER, stored=True),
        provider=TEXT(analyzer=ANALYZER),
        spell=TEXT(analyzer=SPELLING_ANALYZER, phrase=False, spelling=True),
        # Title words as written, for autocomplete: a prefix of a stemmed word may match nothing.
        title_words=TEXT(analyzer=SPELLING_ANALYZER, phrase=False),
        published=DATETIME(sortable=True, stored=True),
        title_sort=ID(sortable=True),
        # Fingerprint of the text the sentence encoder reads (documents.meaning_hash), as a
        # column: it finds each document's vector in the store (vectors.py) by content.
        meaning=NUMERIC(numtype=int, bits=64, signed=False, sortable=True),
        **facet_fields,
    )
