"""What every import reader (CSV, publiccode.yml) hands the import: rows in the export's columns.

A reader turns a file into ``SourceRow``s whose ``fields`` are keyed by the column names of the
CSV export (``exports.SOLUTIONS.header``: "title", "summary", "licence", "challenges", ...; lists
``;``-joined by slug as the export writes them), so the import (services/imports.py) checks and
applies every format the same way, and an export re-imports. A problem only the reader can see
(a value it could not read, a column it does not know) goes in ``problems``; a file that cannot
be read at all (not UTF-8, too large, not CSV/YAML, a zip bomb) raises ``UnreadableFile`` with a
message for the person who uploaded it, before any row is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ValidationFailed

# The largest file (or, for a zip or folder, the sum of the files read) an import reads.
MAX_BYTES = 20 * 1024 * 1024


class UnreadableFile(ValidationFailed):
    """The whole file is refused: nothing in it is imported."""


@dataclass
class SourceRow:
    """One entry as a file describes it."""

    # Where it is in the file, for messages: "line 7", "publiccode.yml in tools.zip".
    label: str
    # Export column name -> text, as the file gives it (CSV cells already restore_cell'd).
    fields: dict[str, str]
    # Language code -> {"title", "summary", "description", "impact", "lessons"} in that language,
    # for files that carry several languages (publiccode.yml's description per language).
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    # What the reader could not take from the file for this row, each a sentence.
    problems: list[str] = field(default_factory=list)
