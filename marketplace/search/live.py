"""One searcher per process, reused across requests and refreshed when the index changes.

Alongside it, per index generation, each facet value's documents as a Python int bitset (bit n set
when document number n has the value): facet counting then is `&` and `int.bit_count`, with no
extra search per facet. The bitsets are read once per segment (segments.py) and shifted into
place here, so opening the generation after a write reads only the new segment.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from . import languages, segments
from . import vectors as entry_vectors
from .fast import Vectors, to_array, to_bits
from .index import current_dir
from .meaning import Encoder
from .schema import FACETS
from .spelling import Speller

Bitset = int


@dataclass
class Generation:
    """A searcher on one state of the index and the facet bitsets computed from it."""

    directory: Path
    searcher: Searcher
    live: Bitset  # every document not deleted
    facets: dict[str, dict[str, Bitset]] = field(default_factory=dict)
    vectors: Vectors | None = None
    speller: Speller | None = None
    # The languages a query may be detected in: the interface's and the versions' (languages.py).
    languages: frozenset[str] = languages.INTERFACE
    _meaning: entry_vectors.DocVectors | None = None  # matched on first use, again per store
    # A term's frequency over the fields "similar solutions" read (related.key_terms).
    term_totals: dict[str, int] = field(default_factory=dict)

    def meaning(self, model: Encoder) -> entry_vectors.DocVectors:
        """This generation's documents matched to the encoder's vectors (as stored now)."""
        store = entry_vectors.store(model)
        known = self._meaning
        if known is None:
            hashes = entry_vectors.document_hashes(self.searcher)
            alive = to_array(self.live, self.vectors.size)
            known = self._meaning = entry_vectors.doc_vectors(store, hashes, alive)
        elif known.store is not store:  # the fingerprints of this generation stay the same
            known = self._meaning = entry_vectors.doc_vectors(store, known.hashes, known.alive)
        return known


def bitset(docnums: Iterable[int]) -> Bitset:
    """The bitset with a bit set for each document number."""
    buffer = bytearray()
    for docnum in docnums:
        byte = docnum >> 3
        if byte >= len(buffer):
            buffer.extend(bytes(byte + 1 - len(buffer)))
        buffer[byte] |= 1 << (docnum & 7)
    return int.from_bytes(buffer, "little")


def docnums(bits: Bitset) -> list[int]:
    """The document numbers whose bit is set, ascending."""
    found = []
    digits = bin(bits)[:1:-1]  # least significant bit first
    at = digits.find("1")
    while at >= 0:
        found.append(at)
        at = digits.find("1", at + 1)
    return found


def _facet_bitsets(vectors: Vectors, live: Bitset) -> dict[str, dict[str, Bitset]]:
    """Each segment's facet bitsets shifted to its first document number, OR-ed, then masked."""
    facets: dict[str, dict[str, Bitset]] = {name: {} for name in FACETS}
    for segment, reader, offset in vectors.leaves:
        for name, values in segment.facets(reader).items():
            combined = facets[name]
            for value, bits in values.items():
                combined[value] = combined.get(value, 0) | (bits << offset)
    for name, values in facets.items():
        kept = {value: bits & live for value, bits in values.items()}
        facets[name] = {value: bits for value, bits in kept.items() if bits}
    return facets


def _open(directory: Path, previous: Generation | None) -> Generation:
    languages.load()  # the word lists query-language detection reads, once per process
    reuse = previous.searcher if previous is not None and previous.directory == directory else None
    searcher = segments.open_searcher(directory, reuse)
    vectors = Vectors(searcher, str(directory))
    live = to_bits(vectors.live_mask())
    facets = _facet_bitsets(vectors, live)
    held = frozenset()
    if "versions" in searcher.schema:  # not in an index of an older release
        held = frozenset(
            languages.normalise(term.decode()) for term in searcher.lexicon("versions")
        )
    return Generation(
        directory,
        searcher,
        live,
        facets,
        vectors,
        Speller(searcher, directory),
        languages.INTERFACE | held,
    )


MAX_INDEXES = 8  # data dirs whose searchers one process keeps open
_lock = threading.Lock()
_current: dict[Path, Generation] = {}


def generation() -> Generation | None:
    """The searcher and facet bitsets of the live index, or None before the first rebuild."""
    directory = current_dir()
    if directory is None:
        return None
    root = directory.parent
    with _lock:
        known = _current.get(root)
        if known is not None and known.directory == directory and known.searcher.up_to_date():
            return known
        # Only when the link moved or the index changed: exists_in opens the table of contents.
        if not whoosh_index.exists_in(directory):
            return None
        fresh = _open(directory, known)
        # The old searcher may still serve a request in another thread: let it be collected.
        _current.pop(root, None)
        _current[root] = fresh
        while len(_current) > MAX_INDEXES:  # other apps in this process (tests, tools)
            _current.pop(next(iter(_current))).searcher.close()
        # The arrays of segments no open generation holds (merged, or of a replaced index) go.
        segments.retain(key for known in _current.values() for key in known.vectors.segment_keys())
        return fresh
