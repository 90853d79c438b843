"""Full-text search over published entries; the only package that imports whoosh.

The database is the source of truth and the index is derived from it: changes reach the index
through the outbox (tracking.py writes it, sync.py drains it) and it can be rebuilt at any time.
"""

from .autocomplete import suggest_titles
from .check import Drift, IndexBusy, check
from .counts import Counts
from .counts import current as current_counts
from .engine import SORTS, SearchOutcome, SearchRequest, run
from .fusion import Hit
from .highlight import snippet
from .index import IndexOutdated, IndexStats, NoIndex, index_stats, rebuild
from .meaning import encoder
from .related import duplicates, similar
from .sync import drain
from .tracking import init_app
from .vectors import MeaningStats, embed_missing, embed_soon
from .vectors import stats as meaning_stats

__all__ = [
    "SORTS",
    "Counts",
    "Drift",
    "Hit",
    "IndexBusy",
    "IndexOutdated",
    "IndexStats",
    "MeaningStats",
    "NoIndex",
    "SearchOutcome",
    "SearchRequest",
    "check",
    "current_counts",
    "drain",
    "duplicates",
    "embed_missing",
    "embed_soon",
    "encoder",
    "index_stats",
    "init_app",
    "meaning_stats",
    "rebuild",
    "run",
    "similar",
    "snippet",
    "suggest_titles",
]
