"""Full-text search over published entries; the only package that imports whoosh.

The database is the source of truth and the index is derived from it: it can be rebuilt at any time.
"""

from .index import IndexStats, index_stats, rebuild

__all__ = ["IndexStats", "index_stats", "rebuild"]
