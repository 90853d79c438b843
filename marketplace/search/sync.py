"""Applying the outbox to the live index: idempotent, safe to run from several processes at once."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.reading import SegmentReader
from whoosh.writing import MERGE_SMALL, SegmentWriter

from ..extensions import db
from ..models import Challenge, SearchChange, Solution
from ..models.solution import solution_challenge, solution_service
from ..sqltypes import utc_now
from ..vocab import Status
from . import position
from .documents import document
from .index import current_dir, published_entries

log = logging.getLogger(__name__)

# Applied outbox rows are deleted once this old. Not as soon as applied: several machines may each
# keep their own index from one shared change log, and this one cannot know what the others have
# applied. A machine whose index falls further behind than this must `search rebuild` (which
# `search check` would show); the retention only has to outlast any such outage.
RETENTION = timedelta(days=7)
# A segment whose deleted documents pass this share of it is rewritten without them by the drain
# that crosses the line. Whoosh's own policy (MERGE_SMALL) sizes segments by every document they
# ever held, so segments of mostly replaced or archived documents were never merged: the index
# kept growing while the catalogue did not. Rewriting costs about its share of a rebuild's
# writing (no analysis), once per segment that crosses the line.
MAX_DELETED_SHARE = 0.25


def _affected_solutions(session: Session, changes: list[SearchChange]) -> set[int]:
    """Entry ids whose index document may differ because of ``changes``."""
    by_entity: dict[str, set[int]] = defaultdict(set)
    for change in changes:
        by_entity[change.entity].add(change.entity_id)
    ids = set(by_entity.pop("solution", set()))
    published = Solution.status == Status.PUBLISHED
    linked = {
        "city": select(Solution.id).where(published, Solution.city_id.in_(by_entity["city"])),
        "challenge": select(solution_challenge.c.solution_id).where(
            solution_challenge.c.challenge_id.in_(by_entity["challenge"])
        ),
        "track": select(solution_challenge.c.solution_id)
        .join(Challenge, Challenge.id == solution_challenge.c.challenge_id)
        .where(Challenge.track_id.in_(by_entity["track"])),
        "service": select(solution_service.c.solution_id).where(
            solution_service.c.service_id.in_(by_entity["service"])
        ),
    }
    for entity, query in linked.items():
        if by_entity[entity]:
            ids.update(session.scalars(query))
    return ids


def _pending(session: Session, done: position.Position) -> tuple[list[SearchChange], list]:
    rows = session.scalars(
        select(SearchChange).where(SearchChange.id > done.floor).order_by(SearchChange.id)
    ).all()
    return rows, [row for row in rows if not done.is_applied(row.id)]


def drain(timeout: float | None = None) -> int | None:
    """Apply the outbox rows the live index has not applied yet.

    Returns the number of rows applied, or None when there is no index yet or another process held
    the index's write lock for ``timeout`` seconds (the rows stay pending for the next drain).
    """
    directory = current_dir()
    if directory is None:
        return None
    with Session(db.engine) as session:
        if not _pending(session, position.read(directory))[1]:
            return 0
    ix = whoosh_index.open_dir(directory)
    try:
        writer = ix.writer(timeout=timeout or current_app.config["SEARCH_WRITE_TIMEOUT"])
    except LockError:
        log.warning("search index busy: outbox left for the next drain")
        ix.close()
        return None
    # Read again under the lock, in a new transaction: nothing newer than this snapshot can have
    # been applied by another process, so no document is overwritten by an older version.
    try:
        with Session(db.engine) as session:
            done = position.read(directory)
            rows, pending = _pending(session, done)
            if not pending:  # another process applied them while this one waited for the lock
                writer.cancel()
                return 0
            ids = _affected_solutions(session, pending)
            found = set()
            # An index of an older release lacks newer fields: it is kept current without them
            # until `search rebuild` (which `search check` asks for).
            names = set(ix.schema.names())
            for solution in session.scalars(published_entries().where(Solution.id.in_(ids))):
                fields = document(solution)
                kept = {k: v for k, v in fields.items() if k.removeprefix("_stored_") in names}
                writer.update_document(**kept)
                found.add(solution.id)
            for gone in ids - found:
                writer.delete_by_term("id", str(gone))
            writer.commit(mergetype=_merge_worn)
            done = done.advance((row.id, row.created_at) for row in rows)
            position.write(directory, done)
            _prune(session, done)
            return len(pending)
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    finally:
        ix.close()


def _merge_worn(writer: SegmentWriter, segments: list) -> list:
    """Whoosh merge policy: rewrite segments mostly deleted, then Whoosh's own small merges."""
    worn = [s for s in segments if s.deleted_count() > MAX_DELETED_SHARE * s.doc_count_all()]
    for segment in worn:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)  # copies the live documents only
        reader.close()
    if worn:
        log.info("search index: rewrote %d segments mostly deleted", len(worn))
    return MERGE_SMALL(writer, [s for s in segments if s not in worn])


def _prune(session: Session, done: position.Position) -> None:
    """Delete outbox rows older than RETENTION that this index has applied (at or below its floor).

    Never fails the drain: the rows are only kept a little longer.
    """
    old = SearchChange.created_at < utc_now() - RETENTION
    try:
        oldest = session.scalar(select(func.min(SearchChange.id)).where(old))
        if oldest is not None and oldest <= done.floor:  # a write only when there is work
            session.execute(delete(SearchChange).where(old, SearchChange.id <= done.floor))
            session.commit()
    except Exception:
        session.rollback()
        log.exception("pruning the search outbox failed; the rows are pruned by a later drain")
