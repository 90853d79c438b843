"""Entry vectors: a store beside the index keyed by content, and the embedding that fills it.

The store (data_dir/search/vectors/<encoder>.npy) is one float32 matrix, memory-mapped: a row per
entry text, its vector followed by the text's 64-bit fingerprint (documents.meaning_hash) in the
last two columns, rows sorted by fingerprint. Index documents carry the fingerprint of the text
they were built from, so any index generation, a fresh rebuild included, finds its vectors by
content: an unchanged entry is never embedded twice, and a changed one is embedded again.

Embedding is never done in a page request (but for the question): the drains of web requests start
one background thread (embed_soon), `flask search sync` and `flask search embed` do it in their
own process. One process per data dir embeds at a time (a file lock); entries without a vector yet
are ranked lexically.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from whoosh.searching import Searcher

from ..extensions import db
from ..models import Solution
from ..vocab import Status
from . import meaning
from .documents import meaning_hash, meaning_text
from .index import search_root

log = logging.getLogger(__name__)

DIRECTORY = "vectors"
LOCK = ".embedding.lock"
BATCH = 8  # entries per call to the encoder
CHUNK = 256  # entries read from the database at a time
SAVE_EVERY = 30.0  # seconds between writes of the store during a long embedding run
_SEGMENTS_CACHED = 256


def store_path(model: meaning.Encoder) -> Path:
    return search_root() / DIRECTORY / f"{model.name}.npy"


# numpy reads a .npy header with ast.literal_eval, and CPython 3.11's AST state is shared by the
# threads of a process (gh-106905: two parses at once fail with "AST constructor recursion depth
# mismatch"). A request thread and the background embedding thread both open the store: one at
# a time.
_opening = threading.Lock()


class Store:
    """The vectors of one encoder, as the store file held them when it was opened."""

    def __init__(self, path: Path, dim: int) -> None:
        self.path = path
        self.dim = dim
        try:
            stat = path.stat()
            with _opening:
                data = np.load(path, mmap_mode="r")
        except (FileNotFoundError, ValueError, OSError):
            stat, data = None, np.zeros((0, dim + 2), dtype=np.float32)
        if data.ndim != 2 or data.shape[1] != dim + 2:
            log.warning("vector store %s has the wrong shape; it is rebuilt by embedding", path)
            data = np.zeros((0, dim + 2), dtype=np.float32)
        self.key = (stat.st_ino, stat.st_mtime_ns, stat.st_size) if stat else None
        self.vectors = data[:, :dim]  # a view: rows stay on disk until read
        self.hashes = np.ascontiguousarray(data[:, dim:]).view(np.uint64).ravel()

    def __len__(self) -> int:
        return len(self.hashes)

    def rows(self, hashes: np.ndarray) -> np.ndarray:
        """The row of each fingerprint, -1 where the store has none."""
        if not len(self.hashes):
            return np.full(len(hashes), -1, dtype=np.int64)
        at = np.searchsorted(self.hashes, hashes)
        at = np.minimum(at, len(self.hashes) - 1)
        return np.where(self.hashes[at] == hashes, at, -1)


_stores: dict[Path, Store] = {}
_stores_lock = threading.Lock()


def store(model: meaning.Encoder) -> Store:
    """The encoder's store, opened again only when its file changed (one stat a call)."""
    path = store_path(model)
    try:
        stat = path.stat()
        key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        key = None
    with _stores_lock:
        known = _stores.get(path)
        if known is None or known.key != key:
            known = _stores[path] = Store(path, model.dim)
        return known


def write_store(path: Path, hashes: np.ndarray, vectors: np.ndarray) -> None:
    """Replace the store file atomically (readers keep the file they opened)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    order = np.argsort(hashes, kind="stable")
    data = np.empty((len(hashes), vectors.shape[1] + 2), dtype=np.float32)
    data[:, : vectors.shape[1]] = vectors[order]
    data[:, vectors.shape[1] :] = hashes[order].astype(np.uint64).view(np.float32).reshape(-1, 2)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    with open(tmp, "wb") as out:
        np.save(out, data)
    os.replace(tmp, path)


# -- which document holds which text -------------------------------------------------------------

_segment_hashes: OrderedDict[str, np.ndarray] = OrderedDict()
_segment_lock = threading.Lock()


def document_hashes(searcher: Searcher) -> np.ndarray:
    """Each document number's meaning fingerprint (0: none, e.g. an index built before them).

    Segments never change once written, so each one is read once per process.
    """
    size = searcher.reader().doc_count_all()
    hashes = np.zeros(size, dtype=np.uint64)
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        key = reader.segment().segment_id() if reader.segment() is not None else None
        with _segment_lock:
            found = _segment_hashes.get(key) if key else None
        if found is None:
            found = _read_column(reader)
            if key:
                with _segment_lock:
                    _segment_hashes[key] = found
                    while len(_segment_hashes) > _SEGMENTS_CACHED:
                        _segment_hashes.popitem(last=False)
        hashes[offset : offset + len(found)] = found
    return hashes


def _read_column(reader) -> np.ndarray:
    if not reader.has_column("meaning"):
        return np.zeros(reader.doc_count_all(), dtype=np.uint64)
    column = reader.column_reader("meaning", translate=False)
    return np.fromiter(column, dtype=np.uint64, count=reader.doc_count_all())


@dataclass
class DocVectors:
    """One generation's documents matched to the rows of one store."""

    store: Store
    hashes: np.ndarray  # per document number: its meaning fingerprint (0: none)
    alive: np.ndarray  # per document number: not deleted
    rows: np.ndarray  # per document number: the store row, or -1
    with_vector: np.ndarray  # document numbers (live) that have a vector
    missing: np.ndarray  # document numbers (live) that could have one but do not (yet)

    @property
    def without(self) -> int:
        return int(self.missing.size)

    def similarities(self, vector: np.ndarray, size: int) -> np.ndarray:
        """Cosine similarity of every document to ``vector`` (-inf where it has no vector)."""
        sims = np.full(size, -np.inf, dtype=np.float32)
        if self.with_vector.size:
            sims[self.with_vector] = (self.store.vectors @ vector)[self.rows[self.with_vector]]
        return sims


def doc_vectors(store_: Store, hashes: np.ndarray, live: np.ndarray) -> DocVectors:
    rows = store_.rows(hashes)
    rows[hashes == 0] = -1  # indexed before fingerprints: `search rebuild` gives them one
    with_vector = np.flatnonzero((rows >= 0) & live)
    missing = np.flatnonzero(live & (rows < 0) & (hashes != 0))
    return DocVectors(store_, hashes, live, rows, with_vector, missing)


# -- embedding what is missing ---------------------------------------------------------------


@dataclass
class EmbedReport:
    embedded: int  # entry texts embedded now
    missing: int  # documents still without a vector (busy, or changed meanwhile)
    seconds: float


def _missing_entries(model: meaning.Encoder) -> tuple[list[int], np.ndarray]:
    """Ids of live documents whose text has no vector yet, and the fingerprints in use."""
    from . import live

    generation = live.generation()
    if generation is None:
        return [], np.zeros(0, dtype=np.uint64)
    documents = generation.meaning(model)
    in_use = np.unique(documents.hashes[documents.alive & (documents.hashes != 0)])
    stored = generation.searcher.stored_fields
    return [int(stored(int(docnum))["id"]) for docnum in documents.missing], in_use


def embed_missing(
    wait: bool = True, progress: Callable[[int, int], None] | None = None
) -> EmbedReport | None:
    """Embed the live index's entries that have no vector yet; None without an encoder.

    Returns at once (embedding nothing) when ``wait`` is false and another process of this data
    dir is embedding. ``progress(done, total)`` is called after each batch.
    """
    model = meaning.encoder()
    if model is None:
        return None
    started = time.monotonic()
    lock_path = search_root() / DIRECTORY / LOCK
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return EmbedReport(0, -1, 0.0)
        ids, in_use = _missing_entries(model)
        embedded = _embed(model, ids, in_use, progress)
        still = len(_missing_entries(model)[0])
    return EmbedReport(embedded, still, time.monotonic() - started)


def _embed(model, ids: list[int], in_use: np.ndarray, progress) -> int:
    """Embed the entries ``ids`` (a chunk at a time: bounded memory) and write the store."""
    current = store(model)
    seen: list[np.ndarray] = []
    hashes: list[np.ndarray] = []
    vectors: list[np.ndarray] = []
    done, saved_at = 0, time.monotonic()

    def save(keep: np.ndarray) -> None:
        write_store(
            store_path(model),
            np.concatenate([current.hashes[keep], *hashes]),
            np.concatenate([np.asarray(current.vectors[keep]), *vectors]),
        )

    with Session(db.engine) as session:  # a read of its own: never the caller's transaction
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            texts: dict[int, str] = {}
            query = select(Solution).where(
                Solution.id.in_(chunk), Solution.status == Status.PUBLISHED
            )
            for solution in session.scalars(query):
                # The entry as it is now: when it changed since the index saw it, the drain
                # brings the new fingerprint, and its vector is then already here.
                text = meaning_text(solution)
                texts.setdefault(meaning_hash(text), text)
            session.expunge_all()
            fingerprints = np.array(list(texts), dtype=np.uint64)
            seen.append(fingerprints)
            new = fingerprints[current.rows(fingerprints) < 0].tolist()
            for at in range(0, len(new), BATCH):
                batch = new[at : at + BATCH]
                vectors.append(model.passages([texts[h] for h in batch]))
                hashes.append(np.array(batch, dtype=np.uint64))
                done += len(batch)
            if progress:
                progress(min(start + CHUNK, len(ids)), len(ids))
            if time.monotonic() - saved_at > SAVE_EVERY:  # a long run: what is done is kept
                save(np.ones(len(current), dtype=bool))  # pruned at the end only
                saved_at = time.monotonic()
    # Dropped: vectors of texts neither the index holds nor an entry has now (old versions,
    # archived entries).
    keep = np.isin(current.hashes, np.union1d(in_use, np.concatenate([in_use[:0], *seen])))
    if done or not keep.all():
        save(keep)
    return done


# -- in the background, after a web request's drain ----------------------------------------------

_background = threading.Lock()
_again = threading.Event()


def embed_soon(app: Flask) -> None:
    """Embed what the last drain added, in a thread of this process; never blocks the caller."""
    if meaning.encoder() is None or not app.config.get("SEARCH_EMBED_IN_BACKGROUND", True):
        return
    _again.set()
    if not _background.acquire(blocking=False):
        return  # the running thread sees _again and makes another pass
    threading.Thread(target=_embed_loop, args=(app,), name="embed", daemon=True).start()


def _embed_loop(app: Flask) -> None:
    while True:
        try:
            while _again.is_set():
                _again.clear()
                with app.app_context():
                    try:
                        embed_missing(wait=False)
                    except Exception:
                        log.exception("embedding failed; `flask search embed` retries")
        finally:
            _background.release()
        # A request may have asked between the last pass and the release.
        if not _again.is_set() or not _background.acquire(blocking=False):
            return


@dataclass(frozen=True)
class MeaningStats:
    encoder: str
    with_vector: int  # live documents of the index that have a vector
    stored: int  # vectors in the store
    bytes_per_entry: int


def stats() -> MeaningStats | None:
    """How much of the live index can be ranked by meaning; None without an encoder."""
    from . import live

    model = meaning.encoder()
    if model is None:
        return None
    current = store(model)
    generation = live.generation()
    with_vector = 0 if generation is None else int(generation.meaning(model).with_vector.size)
    return MeaningStats(model.name, with_vector, len(current), (model.dim + 2) * 4)
