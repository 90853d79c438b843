"""Comparing the index with the database, and repairing what differs."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.index import LockError

from ..extensions import db
from .documents import document
from .index import IndexOutdated, NoIndex, built_version, current_dir, published_entries
from .schema import VERSION


@dataclass
class Drift:
    """Differences between the live index and the published entries in the database."""

    missing: list[str] = field(default_factory=list)  # published, not in the index (slugs)
    extra: list[str] = field(default_factory=list)  # in the index, not published (slugs)
    stale: list[str] = field(default_factory=list)  # indexed from an older version (slugs)

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.stale)


class IndexBusy(RuntimeError):
    """Another process holds the index's write lock (a drain, a repair): try again shortly."""


def check(repair: bool = False) -> Drift:
    """Compare every indexed document with its entry; with ``repair``, fix the differences.

    :raises NoIndex: when no index has been built yet.
    :raises IndexOutdated: when the index was built by another version of the analysis (its
        documents cannot be compared or repaired, only rebuilt).
    :raises IndexBusy: when repairing and another process held the write lock for
        SEARCH_WRITE_TIMEOUT seconds.
    """
    directory = current_dir()
    if directory is None or not whoosh_index.exists_in(directory):
        raise NoIndex("No search index yet: run `flask --app marketplace search rebuild`.")
    if (built := built_version(directory)) != VERSION:
        raise IndexOutdated(
            f"The search index was built by version {built} of the analysis, this release uses "
            f"version {VERSION}: run `flask --app marketplace search rebuild`."
        )
    ix = whoosh_index.open_dir(directory)
    try:
        with ix.searcher() as searcher:
            indexed = {f["id"]: f for f in searcher.all_stored_fields()}
        with Session(db.engine) as session:
            wanted = {str(s.id): document(s) for s in session.scalars(published_entries())}
        drift = Drift(
            missing=sorted(wanted[i]["slug"] for i in wanted.keys() - indexed.keys()),
            extra=sorted(indexed[i]["slug"] for i in indexed.keys() - wanted.keys()),
            stale=sorted(
                doc["slug"]
                for i, doc in wanted.items()
                if i in indexed and indexed[i].get("stamp") != doc["stamp"]
            ),
        )
        if repair and drift:
            timeout = current_app.config["SEARCH_WRITE_TIMEOUT"]
            try:
                writer = ix.writer(timeout=timeout)
            except LockError as error:
                raise IndexBusy(
                    f"Another process has held the search index's write lock for {timeout:g} s "
                    "(a drain or a repair): nothing repaired, try again shortly."
                ) from error
            with writer:
                for i, doc in wanted.items():
                    if i not in indexed or indexed[i].get("stamp") != doc["stamp"]:
                        writer.update_document(**doc)
                for i in indexed.keys() - wanted.keys():
                    writer.delete_by_term("id", i)
        return drift
    finally:
        ix.close()
