"""The CSV import's reader: a file in the CSV export's columns, as SourceRows (import_rows.py).

What the export writes re-imports: UTF-8 with or without the byte order mark, lists ``;``-joined
by slug, cells the export made text with a leading apostrophe restored (csvfile.restore_cell).
Spreadsheets saved in a European locale separate cells with ``;`` or a tab: the header line
tells which. Other encodings are refused with the fix ("save as CSV UTF-8") rather than guessed:
a wrong guess would store garbled text without anyone noticing.

A cell the export escaped (``'=1+1``) comes back as the text it was. A cell that reads as a
formula as the file has it (``=HYPERLINK(...)`` typed into the file) is never evaluated nor
stored: its row is refused with a problem naming the column, so the person types the value
itself (or starts it with an apostrophe, as the export does, to keep it as text).
"""

from __future__ import annotations

import csv
import io
import re

from flask_babel import gettext as _
from flask_babel import ngettext

from ..i18n import format_number
from .csvfile import BOM, restore_cell
from .exports import SOLUTIONS
from .import_rows import MAX_BYTES, SourceRow, UnreadableFile

# Rows one file may hold: a city's whole spreadsheet, while one dry run stays a page to read.
MAX_ROWS = 5_000
# The csv module's own limit on one cell (131,072 characters): far above any field's length,
# and kept as it is because it is the process's, not one reader's.
REQUIRED = ("title",)
DELIMITERS = (",", ";", "\t")
# In a cell as the file has it: "=" starts a formula; "+", "-" and "@" do when a function name or a
# command follows (+SUM(, -cmd|, @HYPERLINK(), so Markdown lists ("- item") and phone numbers
# ("+351 ...") stay text.
FORMULA = re.compile(r"\s*(=|[+\-@]\s*[A-Za-z_][\w.]*\s*[(|!])")


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet would run ``value`` as a formula."""
    return FORMULA.match(value) is not None


def _text(name: str, data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise UnreadableFile(_too_large(name))
    if b"\x00" in data:
        raise UnreadableFile(
            _(
                "%(name)s is not a CSV file (it holds binary data, or text in UTF-16). Save the "
                "spreadsheet as “CSV UTF-8” and upload that file.",
                name=name,
            )
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UnreadableFile(
            _(
                "%(name)s is not in UTF-8 (line %(line)d holds a character in another encoding). "
                "Save the spreadsheet as “CSV UTF-8” and upload that file.",
                name=name,
                line=line,
            )
        ) from error
    return text.removeprefix(BOM)


def _too_large(name: str) -> str:
    return _(
        "%(name)s is larger than %(max)d MB: split it into smaller files.",
        name=name,
        max=MAX_BYTES // (1024 * 1024),
    )


def _delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most known column names."""
    first = text.split("\n", 1)[0]
    known = set(SOLUTIONS.header)

    def score(delimiter: str) -> int:
        return sum(cell.strip().lower() in known for cell in first.split(delimiter))

    return max(DELIMITERS, key=score)


def _header(name: str, cells: list[str]) -> list[str]:
    header = [cell.strip().lower() for cell in cells]
    known = set(SOLUTIONS.header)
    unknown = [cell for cell in header if cell and cell not in known]
    if unknown:
        raise UnreadableFile(
            ngettext(
                "%(name)s has a column the import does not know: %(columns)s. The columns are "
                "those of the CSV export (%(known)s): rename or remove it.",
                "%(name)s has columns the import does not know: %(columns)s. The columns are "
                "those of the CSV export (%(known)s): rename or remove them.",
                len(unknown),
                name=name,
                columns=", ".join(unknown[:10]),
                known=", ".join(SOLUTIONS.header),
            )
        )
    repeated = sorted({cell for cell in header if cell and header.count(cell) > 1})
    if repeated:
        raise UnreadableFile(
            _(
                "%(name)s has the column %(column)s more than once: keep one.",
                name=name,
                column=repeated[0],
            )
        )
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise UnreadableFile(
            _(
                "%(name)s has no %(column)s column. Its first line must name the columns, as "
                "the CSV export's does (%(known)s).",
                name=name,
                column=missing[0],
                known=", ".join(SOLUTIONS.header),
            )
        )
    return header


def _row(label: str, header: list[str], cells: list[str]) -> SourceRow:
    row = SourceRow(label=label, fields={})
    if len(cells) > len(header):
        if any(cell.strip() for cell in cells[len(header) :]):
            row.problems.append(
                _(
                    "This row has %(cells)d cells but the header names %(columns)d columns: "
                    "check for a separator or a quote out of place.",
                    cells=len(cells),
                    columns=len(header),
                )
            )
        cells = cells[: len(header)]
    for column, value in zip(header, cells, strict=False):
        if not column:  # an unnamed column (a spreadsheet's trailing separators)
            if value.strip():
                row.problems.append(_("A cell under a column without a name holds a value."))
            continue
        if looks_like_formula(value):  # as the file has it: the export's are escaped
            row.problems.append(
                _(
                    "%(column)s reads as a spreadsheet formula (%(start)s…), which is never "
                    "imported: type the value itself.",
                    column=column,
                    start=value.strip()[:20],
                )
            )
            continue
        row.fields[column] = restore_cell(value)
    return row


def read(name: str, data: bytes) -> list[SourceRow]:
    """The rows of the CSV file ``data`` (its name ``name`` for messages).

    :raises UnreadableFile: too large, not UTF-8, binary, not CSV, no known header, no rows,
        more than MAX_ROWS rows, or a cell past the csv module's field size limit.
    """
    text = _text(name, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[SourceRow] = []
    header: list[str] | None = None
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if header is None:
                header = _header(name, cells)
                continue
            if len(rows) == MAX_ROWS:
                raise UnreadableFile(
                    _(
                        "%(name)s has more than %(max)s rows: split it into smaller files.",
                        name=name,
                        max=format_number(MAX_ROWS),
                    )
                )
            rows.append(_row(_("line %(line)d", line=line), header, cells))
    except csv.Error as error:
        raise UnreadableFile(
            _(
                "%(name)s is not a CSV file the import can read (line %(line)d: %(problem)s).",
                name=name,
                line=reader.line_num,
                problem=str(error),
            )
        ) from error
    if header is None:
        raise UnreadableFile(_("%(name)s is empty.", name=name))
    if not rows:
        raise UnreadableFile(
            _("%(name)s has a header but no rows: there is nothing to import.", name=name)
        )
    return rows
