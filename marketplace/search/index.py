"""Where the index lives, and building it from the database."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
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
from .bulk import BulkSegmentWriter, BulkWriter
from .documents import document
from .schema import VERSION, build_schema
from .spelling import BodyWords

log = logging.getLogger(__name__)

# data_dir/search/current is a symlink to the live index directory; a rebuild writes a fresh
# directory beside it and swaps the link atomically, so readers never see a half-built index.
CURRENT = "current"
PARALLEL_FROM = 2000  # entries from which a rebuild indexes in several processes
PROGRESS_EVERY = 100  # entries read between two updates of a rebuild's progress
# Given the entries to index, a context manager with update(entries) (tqdm's bar is one).
Progress = Callable[[int], AbstractContextManager]
# A rebuild holds an exclusive flock on this file inside the directory it writes, until the swap:
# the lock dies with the process, so a later rebuild can tell a killed rebuild's directory from
# one another process is still writing.
BUILDING = ".building"
# Seconds after which a directory that is neither live nor locked counts as left behind (one
# killed between mkdir and taking its lock, or a replaced index a killed swap did not remove).
LEFTOVER_AGE = 30 * 60


VERSION_FILE = "analysis-version"  # absent in indexes built before versions were written: 1


def built_version(directory: Path) -> int:
    """The analysis version (schema.VERSION) the index in ``directory`` was built with."""
    try:
        return int((directory / VERSION_FILE).read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return 1


class IndexOutdated(RuntimeError):
    """The live index was built by another version of the analysis: `search rebuild` it."""


class NoIndex(RuntimeError):
    """No index has been built yet: `search rebuild` creates one (`make run` does)."""


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
            selectinload(Solution.translations),
        )
        .order_by(Solution.id)
    )


def rebuild(progress: Progress | None = None) -> int:
    """Build a new index of every published entry and swap it in; returns the entries indexed.

    First removes what killed rebuilds left behind (``remove_leftovers``). ``progress``, given
    the number of entries to index, returns a context manager whose ``update(n)`` is called as
    entries are read (a tqdm bar on a terminal).
    """
    root = search_root()
    root.mkdir(parents=True, exist_ok=True)
    remove_leftovers()
    fresh = root / f"index-{uuid.uuid4().hex[:12]}"
    fresh.mkdir()
    with open(fresh / f"{BUILDING}.new", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Locked before it takes its name: another rebuild never sees it unlocked meanwhile.
        os.rename(fresh / f"{BUILDING}.new", fresh / BUILDING)
        try:
            count = _build(fresh, progress)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        _swap(root, fresh)  # live before the lock goes: no other rebuild removes it meanwhile
        (fresh / BUILDING).unlink()
    return count


def _is_locked(directory: Path) -> bool | None:
    """Whether a running rebuild holds ``directory``'s lock; None when it has no lock file."""
    try:
        fd = os.open(directory / BUILDING, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # releases the lock when it was taken
    return False


def remove_leftovers() -> list[Path]:
    """Remove index directories (and swap links) that killed rebuilds left; returns them.

    Never the live directory, nor one a rebuild in another process holds locked, nor an unlocked
    one younger than LEFTOVER_AGE (a rebuild may be starting in it).
    """
    root = search_root()
    removed = []
    for path in [*root.glob("index-*"), *root.glob(f".{CURRENT}-*")]:
        try:
            locked = _is_locked(path) if path.is_dir() and not path.is_symlink() else None
            old = time.time() - path.lstat().st_mtime > LEFTOVER_AGE
        except FileNotFoundError:  # removed meanwhile by another rebuild
            continue
        # Checked after the lock: a rebuild swaps its directory in before releasing the lock.
        live = current_dir()
        if locked or (locked is None and not old) or (live is not None and path.name == live.name):
            continue
        if path.is_symlink() or not path.is_dir():
            path.unlink(missing_ok=True)
        else:
            shutil.rmtree(path, ignore_errors=True)
        log.info("removed %s, left behind by an interrupted search rebuild", path.name)
        removed.append(path)
    return removed


def _build(fresh: Path, progress: Progress | None) -> int:
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
        writer = BulkWriter(ix, procs=procs) if procs > 1 else BulkSegmentWriter(ix)
        body_words = BodyWords()
        bar = progress(total) if progress else contextlib.nullcontext()
        try:
            with bar:
                for solution in session.scalars(published_entries()):
                    fields = document(solution)
                    writer.add_document(**fields)
                    body_words.add(fields["description"], fields["impact"], fields["lessons"])
                    count += 1
                    if progress and count % PROGRESS_EVERY == 0:
                        bar.update(PROGRESS_EVERY)
                if progress:
                    bar.update(count % PROGRESS_EVERY)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    with ix.searcher() as searcher:
        indexed = searcher.doc_count_all()
    ix.close()
    if indexed != count:  # a worker process that died leaves its documents out
        raise RuntimeError(f"search rebuild: {indexed} of {count} entries reached the index")
    body_words.write(fresh)
    position.write(fresh, done)
    (fresh / VERSION_FILE).write_text(str(VERSION), encoding="ascii")
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
    if link.is_dir() and not link.is_symlink():
        # A data dir copied without its links (cp -r, shutil.copytree) holds the index itself
        # there: move it aside as an old index, so the link can take its place.
        old = root / f"index-{uuid.uuid4().hex[:12]}"
        os.rename(link, old)
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
