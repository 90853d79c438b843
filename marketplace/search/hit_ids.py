"""Entry ids of a generation's document numbers, each read once and kept with its segment.

A hit's entry id is a stored field: reading it unpickles the document's stored fields (title,
summary, facets) for one number. A search with meaning reads the ids of a hundred ranks of each
list it fuses, so each document's id is read the first time a search needs it and kept in an
array of its segment (segments are immutable: a document number of a segment names the same
document for the segment's life). The arrays go with their segment when no generation holds it.
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_right
from collections.abc import Iterable

import numpy as np

from .segments import Segment

_UNREAD = -1
_lock = threading.Lock()
_kept: weakref.WeakKeyDictionary[Segment, np.ndarray] = weakref.WeakKeyDictionary()


def _array(segment: Segment) -> np.ndarray:
    with _lock:
        found = _kept.get(segment)
        if found is None:
            found = _kept[segment] = np.full(segment.size, _UNREAD, dtype=np.int64)
        return found


def entry_ids(vectors, docnums: Iterable[int]) -> list[int]:
    """The entry id of each of ``docnums`` (document numbers of the generation ``vectors``
    reads), in their order."""
    leaves = vectors.leaves
    starts = [offset for _, _, offset in leaves]
    found = []
    for docnum in docnums:
        docnum = int(docnum)
        segment, reader, offset = leaves[bisect_right(starts, docnum) - 1]
        ids = _array(segment)
        local = docnum - offset
        known = int(ids[local])
        if known == _UNREAD:
            # Two threads may both read it: the same value, written twice.
            known = int(reader.stored_fields(local)["id"])
            ids[local] = known
        found.append(known)
    return found
