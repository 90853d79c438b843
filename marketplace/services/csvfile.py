"""CSV for spreadsheets and scripts: one writer for every export (audit log, search, dump).

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some read a tab or a
carriage return before them) as a formula: such cells are written with a leading apostrophe,
which spreadsheets show as text. A cell that starts with an apostrophe gets one more, so
``restore_cell`` (what an import reads) gives back exactly what was exported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
# Spreadsheet programs read a file as UTF-8 only when it starts with the byte order mark.
BOM = "\ufeff"


def safe_cell(value: str) -> str:
    """``value`` as a cell no spreadsheet runs as a formula."""
    if value[:1] in FORMULA_STARTS or value[:1] == ESCAPE:
        return ESCAPE + value
    return value


def restore_cell(value: str) -> str:
    """The value ``safe_cell`` wrote ``value`` for (the inverse, for imports)."""
    if value[:1] == ESCAPE and (value[1:2] in FORMULA_STARTS or value[1:2] == ESCAPE):
        return value[1:]
    return value


class LineWriter:
    """Rows made CSV text one at a time: a line (a record, its newlines quoted) a call."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def line(self, values: Iterable[Any]) -> str:
        """None is an empty cell; every other value is written as ``str`` of it, made safe."""
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow([safe_cell("" if v is None else str(v)) for v in values])
        return self._buffer.getvalue()


def lines(header: Iterable[str], rows: Iterable[Iterable[Any]], bom: bool = False) -> Iterator[str]:
    """The header and ``rows`` as CSV text, a line a string (streamable); the BOM first if asked."""
    writer = LineWriter()
    yield (BOM if bom else "") + writer.line(header)
    for row in rows:
        yield writer.line(row)
