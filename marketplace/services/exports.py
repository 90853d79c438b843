"""Published data as files: the open-data records (records.py) written as CSV or JSON Lines.

One exporter for the search downloads (/solutions.csv, /solutions.jsonl) and the dump (dump.py):
every writer streams, reading entries in batches, so a file of 100,000 entries costs the memory
of one batch. A JSON Lines row is the entry's whole API record (/api/v1/solutions/<slug>); a CSV
row is the same record flattened to the columns of SOLUTIONS, the columns a CSV import reads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select

from .. import i18n, search
from ..extensions import db
from ..models import Solution
from ..search import SearchRequest
from ..vocab import Status
from . import csvfile, records

# Entries read from the database at once (and so held in memory at once).
BATCH = 200
LIST_SEPARATOR = ";"


# --- Flattening records to CSV rows ----------------------------------------------------------


def _key(value: Any) -> str:
    """What identifies a term, city or entry a record points at: its slug (an SDG's number)."""
    if isinstance(value, dict):
        for name in ("slug", "number", "language"):
            if name in value:
                return str(value[name])
        if "city" in value:  # a "used by" adoption
            return _key(value["city"])
    return str(value)


def cell(value: Any) -> str:
    """A record's value as one CSV cell: lists ``;``-joined by key, flags true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(_key(item) for item in value)
    if isinstance(value, dict):
        return _key(value)
    return str(value)


def _field(name: str) -> Callable[[dict], str]:
    return lambda record: cell(record.get(name))


def _within(name: str, inner: str) -> Callable[[dict], str]:
    return lambda record: cell((record.get(name) or {}).get(inner))


@dataclass(frozen=True)
class Table:
    """A kind of record as CSV: each column's name and how it reads a record."""

    name: str
    columns: tuple[tuple[str, Callable[[dict], str]], ...]

    @classmethod
    def of(cls, name: str, *columns: str | tuple[str, Callable[[dict], str]]) -> Table:
        """Columns given by name read the record's field of that name."""
        return cls(name, tuple(c if isinstance(c, tuple) else (c, _field(c)) for c in columns))

    @property
    def header(self) -> list[str]:
        return [name for name, _ in self.columns]

    def row(self, record: dict) -> list[str]:
        return [read(record) for _, read in self.columns]


# The column names are a contract with every spreadsheet and script that reads them, and with
# the CSV import: add columns at the end, never rename one.
SOLUTIONS = Table.of(
    "solutions",
    "slug",
    "kind",
    "language",
    "title",
    "summary",
    "description",
    "impact",
    "lessons",
    "city",
    "maturity",
    "cost_band",
    "funding_model",
    "licence",
    "provider",
    "website",
    "languages",
    "tracks",
    "challenges",
    "services",
    "sdgs",
    ("contact_name", _within("contact", "name")),
    ("contact_email", _within("contact", "email")),
    ("image_url", _within("image", "url")),
    ("image_alt", _within("image", "alt")),
    "used_by",
    "translations",
    "featured",
    "url",
    "created_at",
    "published_at",
    "updated_at",
)
CITIES = Table.of(
    "cities",
    "slug",
    "name",
    "country",
    "role",
    "population",
    "website",
    "profile",
    "solutions",
    "adopted",
    "url",
    "created_at",
)
TRACKS = Table.of(
    "tracks", "slug", "name", "label", "edition", "description", "challenges",
    "published_solutions", "url",
)  # fmt: skip
CHALLENGES = Table.of("challenges", "slug", "name", "label", "track", "published_solutions", "url")
SERVICES = Table.of(
    "services", "slug", "name", "label", "description", "published_solutions", "url"
)
SDGS = Table.of("sdgs", "number", "name", "label", "published_solutions", "url")


def csv_lines(table: Table, rows: Iterable[dict], bom: bool = True) -> Iterator[str]:
    """``rows`` (records) as CSV text with ``table``'s header, UTF-8 BOM first for spreadsheets;
    formula-like cells made text (csvfile.py)."""
    return csvfile.lines(table.header, (table.row(record) for record in rows), bom=bom)


def jsonl_line(record: dict) -> str:
    """A record as a line of JSON Lines (UTF-8 text, not escaped to ASCII)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def jsonl_lines(rows: Iterable[dict]) -> Iterator[str]:
    """``rows`` (records) as JSON Lines: one JSON object a line."""
    return map(jsonl_line, rows)


# --- Reading entries -------------------------------------------------------------------------


def _loaded(ids: list[int]) -> dict[int, Solution]:
    rows = db.session.scalars(
        select(Solution)
        .where(Solution.id.in_(ids), Solution.status == Status.PUBLISHED)
        .options(*records.RECORD_OPTIONS)
    )
    return {row.id: row for row in rows}


def solution_records(ids: Iterable[int], language: str, html: bool = True) -> Iterator[dict]:
    """The records of the entries ``ids``, in that order; one no longer published is left out
    (``html``: as records.solution_record).

    Reads BATCH entries at a time, each batch made into records at once: the session keeps no
    reference to rows handed out, so memory stays that of one batch, and a caller may read each
    batch in a session of its own.
    """
    batch: list[int] = []
    for entry_id in ids:
        batch.append(entry_id)
        if len(batch) == BATCH:
            yield from _records(batch, language, html)
            batch = []
    if batch:
        yield from _records(batch, language, html)


def _records(ids: list[int], language: str, html: bool) -> list[dict]:
    found = _loaded(ids)
    return [records.solution_record(found[i], language, html) for i in ids if i in found]


def published_ids() -> Iterator[int]:
    """Every published entry's id, in id order, read BATCH at a time (keyset, not OFFSET)."""
    last = 0
    while True:
        ids = list(
            db.session.scalars(
                select(Solution.id)
                .where(Solution.status == Status.PUBLISHED, Solution.id > last)
                .order_by(Solution.id)
                .limit(BATCH)
            )
        )
        yield from ids
        if len(ids) < BATCH:
            return
        last = ids[-1]


def published_count() -> int:
    return db.session.scalar(
        select(db.func.count()).select_from(Solution).where(Solution.status == Status.PUBLISHED)
    )


# --- A search as a download ------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """The entries a search download lists, in the search's order (at most its limit)."""

    ids: list[int]
    total: int  # every match, also those past the limit
    language: str  # of the records' taxonomy labels
    changed_at: datetime  # the catalogue's (records.changed_at): the download's Last-Modified

    @property
    def truncated(self) -> bool:
        return self.total > len(self.ids)

    def etag(self, form: str) -> str:
        """A validator of the download in ``form``: the same entries in the same order from an
        unchanged catalogue are the same file."""
        digest = hashlib.sha256()
        for part in (form, self.language, records.absolute_url("catalogue.index"), self.changed_at):
            digest.update(f"{part}\n".encode())
        digest.update(",".join(map(str, self.ids)).encode())
        return digest.hexdigest()[:32]

    def lines(self, form: str) -> Iterator[str]:
        """The download's text, line by line: ``form`` is "csv" or "jsonl"."""
        rows = solution_records(self.ids, self.language)
        return csv_lines(SOLUTIONS, rows) if form == "csv" else jsonl_lines(rows)


def find(request: SearchRequest, limit: int) -> Found:
    """Every published entry ``request`` finds (its page and page size ignored), up to ``limit``.

    :raises search.NoIndex: before the first index is built.
    """
    language = i18n.current_language()
    outcome = search.run(replace(request, page=1, per_page=limit, language=language))
    ids = [hit.id for hit in outcome.hits]
    return Found(ids, outcome.total, language, records.changed_at())
