"""The file formats an import reads: each a reader of import_rows.SourceRows, by name."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from . import import_csv, publiccode
from .import_rows import SourceRow

Reader = Callable[[str, bytes], list[SourceRow]]

# Format name (the CLI's subcommand, the page's choice) -> (label, reader).
READERS: dict[str, tuple[object, Reader]] = {
    "csv": (_l("CSV (the columns of the CSV export)"), import_csv.read),
    "publiccode": (_l("publiccode.yml (one file, or a zip of them)"), publiccode.read),
}
