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


def lines(header: Iterable[str], rows: Iterable[Iterable[Any]], bom: bool = False) -> Iterator[str]:
    """The header and ``rows`` as CSV text, one line (record) a string: streamable.

    None is an empty cell; every other value is written as ``str`` of it, made safe.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell("" if v is None else str(v)) for v in values])
        return buffer.getvalue()

    yield (BOM if bom else "") + line(header)
    for row in rows:
        yield line(row)
