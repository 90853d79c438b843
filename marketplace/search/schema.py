"""The Whoosh schema: text fields for ranking, facet fields for filtering, sortable fields."""

from __future__ import annotations

from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema
from whoosh.support.charset import accent_map

# Stemming plus accent folding: "guimaraes" finds "Guimarães", "retrofitting" finds "retrofit".
ANALYZER = StemmingAnalyzer() | CharsetFilter(accent_map)

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
        title=TEXT(analyzer=ANALYZER, field_boost=3.0, stored=True, spelling=True),
        summary=TEXT(analyzer=ANALYZER, field_boost=2.0, stored=True, spelling=True),
        description=TEXT(analyzer=ANALYZER, spelling=True),
        impact=TEXT(analyzer=ANALYZER),
        lessons=TEXT(analyzer=ANALYZER),
        city_name=TEXT(analyzer=ANALYZER, stored=True),
        provider=TEXT(analyzer=ANALYZER),
        published=DATETIME(sortable=True, stored=True),
        title_sort=ID(sortable=True),
        **facet_fields,
    )
