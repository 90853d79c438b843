"""The logical export: every table's rows as JSON lines that either database kind can load.

Tables are read from the database itself (reflection), not from the models, so a database at an
older schema revision exports what it holds. Values are written as JSON with four kinds of column
told apart: datetimes (ISO 8601 in UTC), dates, bytes (base64) and JSON documents.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    LargeBinary,
    MetaData,
    Table,
    func,
    select,
)

VERSION_TABLE = "alembic_version"  # recorded in the manifest, never exported as rows
BATCH = 500


def _kind(column: Any) -> str:
    kind = column.type
    if isinstance(kind, DateTime):
        return "datetime"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, LargeBinary):
        return "bytes"
    if isinstance(kind, JSON):
        return "json"
    return "plain"


def _encode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.isoformat()
    if kind == "date":
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(value).decode("ascii")
    return value


def _decode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value).astimezone(UTC)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value)
    return value


def tables(connection: Connection) -> list[Table]:
    """The database's own tables in foreign-key order (parents first), without Alembic's."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    return [table for table in metadata.sorted_tables if table.name != VERSION_TABLE]


def export(connection: Connection, folder: Path) -> dict[str, dict[str, Any]]:
    """Write every table's rows to ``folder/<table>.jsonl`` (ordered by primary key); returns
    per table its row count and its columns' kinds, in the order to load them."""
    folder.mkdir(parents=True, exist_ok=True)
    described = {}
    for table in tables(connection):
        kinds = {column.name: _kind(column) for column in table.columns}
        order = list(table.primary_key.columns) or list(table.columns)
        count = 0
        with (folder / f"{table.name}.jsonl").open("w", encoding="utf-8") as out:
            rows = connection.execution_options(yield_per=1000).execute(
                select(table).order_by(*order)
            )
            for row in rows.mappings():
                record = {name: _encode(row[name], kind) for name, kind in kinds.items()}
                out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
        described[table.name] = {"rows": count, "columns": kinds}
    return described


def _batches(path: Path, kinds: dict[str, str]) -> Iterator[list[dict[str, Any]]]:
    batch = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            batch.append({name: _decode(record[name], kind) for name, kind in kinds.items()})
            if len(batch) >= BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def load(
    connection: Connection,
    folder: Path,
    described: dict[str, dict[str, Any]],
    progress: Callable[[str, int], None] = lambda _table, _rows: None,
) -> None:
    """Replace the rows of the (empty) database ``connection`` reaches by those of ``folder``,
    parents before children, and move PostgreSQL's id sequences past them.

    :raises ValueError: the archive names a table or column the database lacks.
    """
    present = tables(connection)
    absent = set(described) - {table.name for table in present}
    if absent:
        raise ValueError(f"the database has no table(s) {sorted(absent)}")
    loaded = [table for table in present if table.name in described]
    for table in loaded:  # parents first
        name, description = table.name, described[table.name]
        missing = set(description["columns"]) - set(table.columns.keys())
        if missing:
            raise ValueError(f"table {name} has no column(s) {sorted(missing)}")
        for column in table.columns:
            if isinstance(column.type, JSON):
                column.type.none_as_null = True  # NULL stays NULL, not the JSON text 'null'
        connection.execute(table.delete())  # rows a migration wrote (the target was empty)
        for batch in _batches(folder / f"{name}.jsonl", description["columns"]):
            connection.execute(table.insert(), batch)
        progress(name, description["rows"])
    if connection.dialect.name == "postgresql":
        _restart_sequences(connection, loaded)


def _restart_sequences(connection: Connection, loaded: list[Table]) -> None:
    """Let the next id of every serial column follow the largest one loaded."""
    quote = connection.dialect.identifier_preparer.quote
    for table in loaded:
        for column in table.primary_key.columns:
            if column.autoincrement is False or not _is_integer(column):
                continue
            sequence = func.pg_get_serial_sequence(quote(table.name), column.name)
            following = select(func.coalesce(func.max(column), 0) + 1).scalar_subquery()
            connection.execute(select(func.setval(sequence, following, False)))


def _is_integer(column: Any) -> bool:
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False
