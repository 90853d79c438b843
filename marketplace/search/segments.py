"""Arrays read once per Whoosh segment, shared by every index generation that holds the segment.

Whoosh never changes a segment once written: a write adds a new small segment, a merge writes
a new one in place of its parts, and only the set of deleted documents changes from one
generation to the next. So facet bitsets, postings and positions arrays and columns are read
per segment, deleted documents included, and a generation combines them with its
document-number offsets and masks its own deletions out (fast.Vectors, live.Generation). After
a write, the new segment is the only one read.

Whoosh's own reader opens every segment afresh, copying each of its files into memory: opening
a generation after a write reuses the previous generation's open segment readers instead, each
given the new generation's deletions (``open_searcher``).

The cache holds the segments of the generations live.py keeps open (``retain``); postings,
the one part that grows with use, are kept least recently used first within POSTINGS_BYTES.
Like fast.py, this module reads the pinned whoosh-reloaded 2.7.5's segment internals.
"""

from __future__ import annotations

import copy
import pickle
import threading
from collections import OrderedDict
from collections.abc import Iterable
from itertools import repeat
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.columns import NumericColumn
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import EmptyReader, IndexReader, MultiReader, SegmentReader
from whoosh.searching import Searcher
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from . import mapped
from .schema import FACETS

Key = tuple[str, str]  # (index directory, Whoosh segment id)
Postings = tuple[np.ndarray, np.ndarray]  # document numbers (segment-local) and weights
# Where a term occurs: one (document number, position) pair per occurrence, as two arrays,
# ordered by document then position. Cached beside the postings, under the field's name
# with this suffix.
POSITIONS = "#positions"

# Bytes of postings arrays kept over every cached segment; the least recently used go first.
POSTINGS_BYTES = 256 * 2**20
# Whoosh stores a field's length in a document as one byte; this turns every byte back into the
# length Whoosh's scorer uses.
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_EMPTY: Postings = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
_NONE = np.zeros(0, dtype=np.int32)


def open_searcher(directory: Path, previous: Searcher | None = None) -> Searcher:
    """A searcher on the latest generation of the index in ``directory``.

    The segments ``previous`` (a searcher on an earlier generation of the same directory) has
    open are reused, with this generation's deleted documents; the others are opened.
    """
    mapped.install()  # segment files read from the map, not copied into this process
    ix = whoosh_index.open_dir(directory)
    if previous is None:
        return ix.searcher()
    toc = ix._read_toc()
    opened = {
        reader.segment().segment_id(): reader
        for reader, _ in previous.reader().leaf_readers()
        if isinstance(reader, SegmentReader) and not reader.is_closed
    }
    readers = []
    for found in toc.segments:
        known = opened.get(found.segment_id())
        if known is None:
            readers.append(SegmentReader(ix.storage, toc.schema, found, generation=toc.generation))
        else:
            readers.append(_with_deletions(known, found, toc.generation))
    if not readers:
        reader = EmptyReader(toc.schema)
    elif len(readers) == 1:
        reader = readers[0]
    else:
        reader = MultiReader(readers, generation=toc.generation)
    return Searcher(reader, fromindex=ix)


def _with_deletions(known: SegmentReader, found, generation: int) -> SegmentReader:
    """``known``'s open files and caches, reading the deletions of the segment as ``found``."""
    reader = copy.copy(known)
    reader.__dict__.pop("deleted_docs_set", None)  # a cached property: the old deletions
    reader._segment = found
    reader._gen = generation
    reader._perdoc = copy.copy(known._perdoc)  # deletions are asked of its segment
    reader._perdoc._segment = found
    return reader


def _leaf(matcher) -> W3LeafMatcher:
    """The block matcher of a segment's postings, at its first posting.

    A segment with deleted documents wraps its postings in a FilterMatcher that skips them (and
    may already have moved past the first ones): its blocks are read here, deleted documents
    included, and each generation masks out its own deleted documents.
    """
    while isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        raise TypeError(f"unexpected postings matcher {type(matcher).__name__}: check segments.py")
    matcher.reset()
    return matcher


def read_postings(reader: IndexReader, field: str, term: str | bytes, weights: bool = True):
    """Every posting of ``term`` in one segment, decoded a whole block at a time with numpy.

    Each block holds its document numbers as deltas from the block's start and its weights as
    None (all 1), one number, or one per posting (W3PostingsWriter).
    """
    if (field, term) not in reader:
        return _EMPTY
    matcher = _leaf(reader.postings(field, term))
    deltas: list[int] = []
    lengths: list[int] = []
    found: list[float] = []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        ids, block_weights, _values = matcher._data
        count = matcher._blocklength
        deltas.extend(ids)
        lengths.append(count)
        if weights:
            if block_weights is None:
                found.extend(repeat(1.0, count))
            elif isinstance(block_weights, float):
                found.extend(repeat(block_weights, count))
            else:
                found.extend(block_weights)
        matcher._next_block()
    flat = np.array(deltas, dtype=np.int64)
    if matcher._byteids:  # never for document postings; kept as Whoosh reads them
        docnums = flat
    else:
        sums = np.cumsum(flat)
        starts = np.cumsum(lengths) - lengths
        docnums = sums - np.repeat(sums[starts] - flat[starts], lengths)
    return docnums, np.array(found, dtype=np.float64) if weights else _EMPTY[1]


def _segmented_cumsum(deltas: list[int], lengths: list[int]) -> np.ndarray:
    """Runs of deltas (``lengths`` long each) turned into running sums restarting per run."""
    flat = np.array(deltas, dtype=np.int64)
    if not flat.size:
        return flat
    lengths_array = np.array(lengths, dtype=np.int64)
    sums = np.cumsum(flat)
    starts = np.cumsum(lengths_array) - lengths_array
    kept = lengths_array > 0
    return sums - np.repeat(sums[starts[kept]] - flat[starts[kept]], lengths_array[kept])


def read_positions(reader: IndexReader, field: str, term: str) -> Postings:
    """Every occurrence of ``term`` in ``field`` in one segment: document numbers (one per
    occurrence) and positions, as the Positions format stores them (per posting: a count, then
    the pickled deltas between positions)."""
    if (field, term) not in reader or not reader.schema[field].format.supports("positions"):
        return _NONE, _NONE
    docnums, _ = read_postings(reader, field, term, weights=False)
    matcher = _leaf(reader.postings(field, term))
    deltas: list[int] = []
    counts: list[int] = []
    while matcher.is_active():
        matcher._read_values()
        for value in matcher._values:
            pickled = value[_INT_SIZE:]
            if not pickled.endswith(b"."):  # Whoosh may leave out pickle's STOP opcode
                pickled += b"."
            codes = pickle.loads(pickled)  # noqa: S301 (the index's own data, as Whoosh reads it)
            deltas.extend(codes)
            counts.append(len(codes))
        matcher._next_block()
    # int32 halves the memory: a segment's documents and a field's positions stay far below.
    return (
        np.repeat(docnums, counts).astype(np.int32),
        _segmented_cumsum(deltas, counts).astype(np.int32),
    )


def bits_of(docnums: np.ndarray, size: int) -> int:
    """The Python int bitset with bit n set for each document number n."""
    mask = np.zeros(size, dtype=bool)
    mask[docnums] = True
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")


class Segment:
    """What one segment holds, read on first use: deleted documents included."""

    def __init__(self, key: Key, size: int) -> None:
        self.key = key
        self.size = size  # documents ever written to it
        self.released = False  # dropped from the cache: no longer fills the postings cache
        self._lock = threading.Lock()
        self._facets: dict[str, dict[str, int]] | None = None
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {}

    def facets(self, reader: IndexReader) -> dict[str, dict[str, int]]:
        """Facet -> value -> bitset of the segment's documents with the value."""
        with self._lock:
            if self._facets is None:
                self._facets = _read_facets(reader, self.size)
            return self._facets

    def lengths(self, reader: IndexReader, field: str) -> np.ndarray:
        """Each document's length in ``field``, as Whoosh's scorer reads it."""
        with self._lock:
            if field not in self._lengths:
                lengths = np.zeros(self.size, dtype=np.float64)
                column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
                if column is not None:
                    raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
                    codes = np.frombuffer(raw, dtype=np.uint8)
                    lengths[: len(codes)] = _BYTE_TO_LENGTH[codes]
                self._lengths[field] = lengths
            return self._lengths[field]

    def column(self, reader: IndexReader, field: str) -> np.ndarray:
        """Each document's value in a sortable column, as stored (numbers, or bytes)."""
        with self._lock:
            if field not in self._columns:
                self._columns[field] = _read_column(reader, field, self.size)
            return self._columns[field]

    def postings(self, reader: IndexReader, field: str, term: str) -> Postings:
        """Segment-local document numbers and weights of ``term`` in ``field``."""
        return self._cached((self.key, field, term), lambda: read_postings(reader, field, term))

    def positions(self, reader: IndexReader, field: str, term: str) -> Postings:
        """Segment-local (document number, position) of each occurrence of ``term``."""
        key = (self.key, field + POSITIONS, term)
        return self._cached(key, lambda: read_positions(reader, field, term))

    def _cached(self, key: tuple[Key, str, str], read) -> Postings:
        """The arrays under ``key`` from the LRU cache, else ``read()`` and kept."""
        with _lock:
            found = _postings.get(key)
            if found is not None:
                _postings.move_to_end(key)
                return found
        found = read()
        _remember(key, found, self)
        return found

    def clear(self) -> None:
        """Drop every array (a generation still using the segment reads them again)."""
        with self._lock:
            self._facets = None
            self._lengths.clear()
            self._columns.clear()


def _read_facets(reader: IndexReader, size: int) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {}
    for name in FACETS:
        values = {}
        if name in reader.schema:
            for raw in reader.lexicon(name):
                value = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                docnums, _ = read_postings(reader, name, raw, weights=False)
                if docnums.size:
                    values[value] = bits_of(docnums, size)
        facets[name] = values
    return facets


def _read_column(reader: IndexReader, field: str, size: int) -> np.ndarray:
    column_type = reader.schema[field].column_type
    if isinstance(column_type, NumericColumn):
        dtype = np.dtype(">" + column_type._typecode)
        values = np.full(size, column_type._default, dtype=dtype.newbyteorder("="))
        if reader.has_column(field):
            column = reader.column_reader(field, translate=False)
            raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
            stored = np.frombuffer(raw, dtype=dtype)
            values[: len(stored)] = stored
        return values
    column = reader.column_reader(field, translate=False)  # bytes: one value per document
    return np.array(list(column) or [b""], dtype=bytes)[:size]


_lock = threading.Lock()
_segments: dict[Key, Segment] = {}
_postings: OrderedDict[tuple[Key, str, str], Postings] = OrderedDict()
_postings_bytes = 0


def _remember(key: tuple[Key, str, str], found: Postings, segment: Segment) -> None:
    global _postings_bytes
    with _lock:
        if segment.released or key in _postings:
            return
        _postings[key] = found
        _postings_bytes += found[0].nbytes + found[1].nbytes
        while _postings_bytes > POSTINGS_BYTES and len(_postings) > 1:
            _, (ids, weights) = _postings.popitem(last=False)
            _postings_bytes -= ids.nbytes + weights.nbytes


def segment(directory: str, reader: IndexReader) -> Segment:
    """The cached arrays of the segment ``reader`` reads (one leaf of a generation)."""
    key = (directory, reader.segment().segment_id())
    with _lock:
        found = _segments.get(key)
        if found is None:
            found = _segments[key] = Segment(key, reader.doc_count_all())
        return found


def retain(keys: Iterable[Key]) -> None:
    """Release every cached segment not among ``keys`` (those of the generations still open)."""
    global _postings_bytes
    keep = set(keys)
    with _lock:
        dropped = [found for key, found in _segments.items() if key not in keep]
        for found in dropped:
            del _segments[found.key]
            found.released = True
        for key in [key for key in _postings if key[0] not in keep]:
            ids, weights = _postings.pop(key)
            _postings_bytes -= ids.nbytes + weights.nbytes
    for found in dropped:
        found.clear()


def cached() -> set[Key]:
    """The segments whose arrays are cached now."""
    with _lock:
        return set(_segments)


def postings_cached() -> set[tuple[Key, str, str]]:
    """The (segment, field, term) postings cached now."""
    with _lock:
        return set(_postings)
