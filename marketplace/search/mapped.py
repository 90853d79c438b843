"""Segment files read from the memory map, not copied: the index's bytes stay shared.

Whoosh memory-maps a compound segment (.seg) but opens each file inside it as a BytesIO over
the map, which copies the file: the postings and term index of every segment went into each
process's private memory when a searcher opened it (76 MB per 10,000 entries, per worker).
``install`` has Whoosh open them as MappedFile instead, which reads from the map and copies
only what is read; the pages come from the operating system's file cache, shared by every
worker on the machine. Like segments.py, this relies on the pinned whoosh-reloaded 2.7.5.
"""

from __future__ import annotations

import os

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class _View:
    """The read side of a file object over a memoryview (what StructFile asks of its file)."""

    def __init__(self, buf: memoryview) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(self._pos + size, len(self._buf))
        found = bytes(self._buf[self._pos : end])
        self._pos = max(self._pos, end)
        return found

    def readline(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(self._pos + size, len(self._buf))
        at = self._pos
        while at < end:  # looked for a chunk at a time: a line is short, the file is not
            newline = bytes(self._buf[at : min(at + 256, end)]).find(b"\n")
            if newline >= 0:
                return self.read(at + newline + 1 - self._pos)
            at += 256
        return self.read(end - self._pos)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._buf)}[whence]
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class MappedFile(BufferFile):
    """Whoosh's BufferFile without the copy: reads go to the memory-mapped segment."""

    def __init__(self, buf, name=None, onclose=None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _View(buf)

    def subset(self, position, length, name=None):
        return MappedFile(self._buf[position : position + length], name=name or self._name)


def install() -> None:
    """Have Whoosh open the files of compound segments as MappedFile (once per process)."""
    compound.BufferFile = MappedFile
