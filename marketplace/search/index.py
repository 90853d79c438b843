"""Where the index lives, and building it from the database."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index

from ..extensions import db
from ..models import Challenge, SearchChange, Solution
from ..sqltypes import utc_now
from ..vocab import Status
from . import position
from .documents import document
from .schema import build_schema
from .spelling import BodyWords

# data_dir/search/current is a symlink to the live index directory; a rebuild writes a fresh
# directory beside it and swaps the link atomically, so readers never see a half-built index.
CURRENT = "current"
PARALLEL_FROM = 2000  # entries from which a rebuild indexes in several processes


@dataclass(frozen=True)
class IndexStats:
    path: str
    documents: int
    segments: int
    size_bytes: int


def search_root() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "search"


def current_dir() -> Path | None:
    link = search_root() / CURRENT
    return link.resolve() if link.exists() else None


def published_entries() -> Select[tuple[Solution]]:
    """Published entries with everything their index documents need, loaded up front."""
    return (
        select(Solution)
        .where(Solution.status == Status.PUBLISHED)
        .options(
            selectinload(Solution.city),
            selectinload(Solution.challenges).selectinload(Challenge.track),
            selectinload(Solution.services),
            selectinload(Solution.sdgs),
        )
        .order_by(Solution.id)
    )


def rebuild() -> int:
    """Build a new index of every published entry and swap it in; returns the entries indexed."""
    root = search_root()
    root.mkdir(parents=True, exist_ok=True)
    fresh = root / f"index-{uuid.uuid4().hex[:12]}"
    fresh.mkdir()
    try:
        count = _build(fresh)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    _swap(root, fresh)
    return count


def _build(fresh: Path) -> int:
    ix = whoosh_index.create_in(fresh, build_schema())
    count = 0
    # One read transaction: the outbox position and the entries come from the same snapshot.
    with Session(db.engine) as session:
        done = _outbox_position(session)
        total = session.scalar(
            select(func.count()).select_from(Solution).where(Solution.status == Status.PUBLISHED)
        )
        # Analysis is the cost of a big rebuild: spread it over the cores (one segment each).
        procs = min(os.cpu_count() or 1, 4) if total >= PARALLEL_FROM else 1
        writer = ix.writer(procs=procs, limitmb=128, multisegment=procs > 1)
        body_words = BodyWords()
        try:
            for solution in session.scalars(published_entries()):
                fields = document(solution)
                writer.add_document(**fields)
                body_words.add(fields["description"], fields["impact"], fields["lessons"])
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    ix.close()
    body_words.write(fresh)
    position.write(fresh, done)
    return count


def _outbox_position(session: Session) -> position.Position:
    """Every outbox row visible now counts as applied by an index built from this snapshot."""
    settled = utc_now() - position.GRACE
    floor = session.scalar(
        select(func.max(SearchChange.id)).where(SearchChange.created_at < settled)
    )
    recent = session.scalars(select(SearchChange.id).where(SearchChange.id > (floor or 0)))
    return position.Position(floor or 0, set(recent))


def _swap(root: Path, fresh: Path) -> None:
    old = current_dir()
    link = root / CURRENT
    tmp_link = root / f".{CURRENT}-{uuid.uuid4().hex[:8]}"
    tmp_link.symlink_to(fresh.name)
    os.replace(tmp_link, link)
    if old is not None and old != fresh.resolve():
        shutil.rmtree(old, ignore_errors=True)


def index_stats() -> IndexStats | None:
    """Size of the live index, or None when none has been built yet."""
    path = current_dir()
    if path is None or not whoosh_index.exists_in(path):
        return None
    ix = whoosh_index.open_dir(path)
    try:
        with ix.searcher() as searcher:
            documents = searcher.doc_count()
        segments = len(ix._segments())
    finally:
        ix.close()
    size = sum(item.stat().st_size for item in path.iterdir() if item.is_file())
    return IndexStats(str(path), documents, segments, size)
