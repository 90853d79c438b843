"""The open-data dump: every published entry, city and taxonomy term in one zip, as JSON Lines and
CSV (the writers of exports.py), with a README, the data licence and a manifest.

Written in one pass over the database, in bounded memory: entries are read in batches, each
record goes to the zip's JSON Lines member as it is made and to a temporary file for its CSV twin,
copied in after the table. The zip is written beside its final name and renamed into place, so
/data/ never serves half a dump. On PostgreSQL one REPEATABLE READ transaction reads everything
(SQLite's read transaction is a snapshot already): the counts agree across files.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from flask import current_app

from .. import i18n
from ..extensions import db
from . import cities, csvfile, dcat, exports, records
from .exports import Table

# Names of the dumps `export dump` writes into DUMP_DIR; /data/ serves only names like these.
NAME = re.compile(r"^tech4good-dump-\d{8}T\d{6}Z\.zip$")
FORMAT = 1  # of the layout below; raised when a file or column goes away or changes meaning
PARTIAL = ".partial"
MANIFEST = "manifest.json"

Progress = Callable[[int], Any]  # told how many more rows were written
TAXONOMY = (exports.TRACKS, exports.CHALLENGES, exports.SERVICES, exports.SDGS)
TABLES = (exports.SOLUTIONS, exports.CITIES, *TAXONOMY)


@dataclass(frozen=True)
class Member:
    """A file of the dump besides the tables: its name in the zip and its text, line by line."""

    name: str
    lines: Callable[[], Iterable[str]]
    about: str = ""  # one line for README.txt


def extra_members() -> list[Member]:
    """Files other modules add to every dump, written after the tables."""
    return [
        Member(
            "catalog.ttl",
            dcat.turtle_lines,
            "the catalogue in DCAT-AP (Turtle), as /catalog.ttl serves it",
        )
    ]


@dataclass
class Written:
    """What a dump holds: rows per table, the columns and fields of each, the extra files."""

    path: Path
    generated_at: datetime
    counts: dict[str, int] = field(default_factory=dict)
    fields: dict[str, list[str]] = field(default_factory=dict)
    extra: list[Member] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def dump_dir() -> Path:
    return Path(current_app.config["DUMP_DIR"])


def new_name(when: datetime) -> str:
    return f"tech4good-dump-{when.astimezone(UTC):%Y%m%dT%H%M%SZ}.zip"


def rows_to_write() -> int:
    """How many rows a dump made now would hold (what a progress bar counts to)."""
    terms = sum(len(rows) for _table, rows in _taxonomy())
    return exports.published_count() + len(cities.cities_with_counts()) + terms


def create(target: Path | None = None, progress: Progress | None = None) -> Written:
    """Write a dump to ``target`` (a file; a directory gets a new time-stamped name; None:
    DUMP_DIR) and return what it holds.

    :raises OSError: the file cannot be written (nothing is left behind).
    """
    generated_at = datetime.now(UTC).replace(microsecond=0)
    target = Path(target) if target is not None else dump_dir()
    if target.is_dir() or target == dump_dir():
        target = target / new_name(generated_at)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + PARTIAL)
    written = Written(target, generated_at, extra=extra_members())
    _one_snapshot()
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            _tables(archive, written, progress or (lambda _n: None))
            for member in written.extra:
                _write(archive, member.name, member.lines(), written)
            _write(archive, "LICENCE.txt", [licence_text()], written)
            _write(archive, "README.txt", [readme(written)], written)
            _write(archive, MANIFEST, [json.dumps(manifest(written), indent=2) + "\n"], written)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        db.session.rollback()  # the read-only snapshot ends here
    return written


def _one_snapshot() -> None:
    """Read the whole dump from one snapshot of the database (see the module's docstring)."""
    if db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _taxonomy() -> list[tuple[Table, list[dict]]]:
    language = i18n.DEFAULT  # labels in English; names are the curated originals
    rows = (records.tracks, records.challenges, records.services, records.sdgs)
    return [(table, read(language)) for table, read in zip(TAXONOMY, rows, strict=True)]


def _city_records() -> Iterator[dict]:
    for city, _count in cities.cities_with_counts():
        yield records.city(city.slug)


def _tables(archive: zipfile.ZipFile, written: Written, progress: Progress) -> None:
    solutions = exports.solution_records(exports.published_ids(), i18n.DEFAULT)
    _table(archive, exports.SOLUTIONS, solutions, written, progress)
    _table(archive, exports.CITIES, _city_records(), written, progress)
    for table, rows in _taxonomy():
        _table(archive, table, rows, written, progress)


def _table(
    archive: zipfile.ZipFile,
    table: Table,
    rows: Iterable[dict],
    written: Written,
    progress: Progress,
) -> None:
    """``rows`` to ``<table>.jsonl`` while their CSV lines go to a temporary file, then that
    file to ``<table>.csv``: each row is read from the database once."""
    count = 0
    fields: list[str] = []
    csv_writer = csvfile.LineWriter()
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        spool.write(csvfile.BOM + csv_writer.line(table.header))
        with _member(archive, f"{table.name}.jsonl", written) as jsonl:
            for record in rows:
                fields = fields or list(record)
                jsonl.write(exports.jsonl_line(record).encode())
                spool.write(csv_writer.line(table.row(record)))
                count += 1
                if count % exports.BATCH == 0:
                    progress(exports.BATCH)
        progress(count % exports.BATCH)
        spool.seek(0)
        with _member(archive, f"{table.name}.csv", written) as out:
            while chunk := spool.read(1 << 16):
                out.write(chunk.encode())
    written.counts[table.name] = count
    written.fields[table.name] = fields


def _member(archive: zipfile.ZipFile, name: str, written: Written) -> IO[bytes]:
    """A new file in the zip, open for writing, dated when the dump was made."""
    info = zipfile.ZipInfo(name, date_time=written.generated_at.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return archive.open(info, "w", force_zip64=True)


def _write(archive: zipfile.ZipFile, name: str, lines: Iterable[str], written: Written) -> None:
    with _member(archive, name, written) as out:
        for line in lines:
            out.write(line.encode("utf-8"))


# --- The texts inside --------------------------------------------------------------------------


def licence() -> dict[str, str]:
    return {
        "name": current_app.config["DATA_LICENCE"],
        "url": current_app.config["DATA_LICENCE_URL"],
    }


def licence_text() -> str:
    chosen = licence()
    source = records.absolute_url("main.home")
    return (
        f"The data in this archive is published under {chosen['name']}:\n{chosen['url']}\n\n"
        f"Attribution: Tech4Good Marketplace, {source}\n"
        "Each entry was written by the city named in it; its solution itself may carry a\n"
        "licence of its own (the entry's `licence` field).\n"
    )


def manifest(written: Written) -> dict:
    return {
        "format": FORMAT,
        "generated_at": records.iso(written.generated_at),
        "source": records.absolute_url("main.home"),
        "licence": licence(),
        "counts": written.counts,
        "files": [
            *(f"{name}.{form}" for name in written.counts for form in ("jsonl", "csv")),
            *(member.name for member in written.extra),
            "LICENCE.txt",
            "README.txt",
            MANIFEST,
        ],
    }


ABOUT = {
    "solutions": "every published entry; a JSON line is the record of /api/v1/solutions/<slug>",
    "cities": "every city; a JSON line is the record of /api/v1/cities/<slug>",
    "tracks": "the ICC thematic tracks still offered, with their challenges",
    "challenges": "the challenges still offered",
    "services": "the transversal services",
    "sdgs": "the UN Sustainable Development Goals",
}


def readme(written: Written) -> str:
    chosen = licence()
    lines = [
        "Tech4Good Marketplace: open-data dump",
        "=====================================",
        "",
        f"Generated: {records.iso(written.generated_at)}",
        f"Source: {records.absolute_url('main.home')}",
        f"Licence of the data: {chosen['name']} ({chosen['url']}); see LICENCE.txt.",
        "",
        "Only published data: entries in any other status are in no file.",
        "",
        "Files",
        "-----",
    ]
    for table in TABLES:
        count = written.counts.get(table.name, 0)
        lines.append(f"{table.name}.jsonl, {table.name}.csv: {count} rows, {ABOUT[table.name]}")
    for member in written.extra:
        lines.append(f"{member.name}: {member.about}")
    lines += [
        "LICENCE.txt: the licence of the data",
        f"{MANIFEST}: the same facts for programs (format {FORMAT}, counts, files)",
        "",
        "Reading the files",
        "-----------------",
        "JSON Lines (.jsonl): one JSON object a line, UTF-8. Dates are ISO 8601 in UTC; every",
        "url and api_url is absolute. Taxonomy labels are in English (name is the original).",
        "CSV (.csv): UTF-8 with a byte order mark, one header row, comma-separated. Lists",
        "(tracks, challenges, services, sdgs, languages, ...) are slugs joined by ';'. A cell",
        "that would start with = + - @, a tab or a carriage return (or an apostrophe) starts",
        "with one more apostrophe, so spreadsheets show it as text; drop that first apostrophe",
        "to read the value. The CSV of solutions has the columns the marketplace's CSV import",
        "reads.",
        "",
        "Fields",
        "------",
    ]
    for table in TABLES:
        lines.append(f"{table.name}.csv: {', '.join(table.header)}")
        fields = written.fields.get(table.name)
        if fields:
            lines.append(f"{table.name}.jsonl: {', '.join(fields)}")
    return "\n".join(lines) + "\n"


# --- The dumps on disk ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Available:
    """A dump in DUMP_DIR, as /data/ lists it."""

    name: str
    path: Path
    size: int
    generated_at: datetime
    licence: dict[str, str]
    counts: dict[str, int]


def latest() -> Available | None:
    """The newest readable dump in DUMP_DIR, or None when there is none."""
    folder = dump_dir()
    if not folder.is_dir():
        return None
    for name in sorted((p.name for p in folder.iterdir() if NAME.match(p.name)), reverse=True):
        path = folder / name
        try:
            with zipfile.ZipFile(path) as archive:
                facts = json.loads(archive.read(MANIFEST))
            when = datetime.fromisoformat(facts["generated_at"].replace("Z", "+00:00"))
            return Available(
                name, path, path.stat().st_size, when, facts["licence"], facts["counts"]
            )
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            continue  # damaged or removed meanwhile: the one before it
    return None


def prune(keep: int) -> list[str]:
    """Delete all but the ``keep`` newest dumps in DUMP_DIR; the names deleted."""
    folder = dump_dir()
    names = sorted((p.name for p in folder.iterdir() if NAME.match(p.name)), reverse=True)
    for name in names[keep:]:
        (folder / name).unlink(missing_ok=True)
    return names[keep:]
