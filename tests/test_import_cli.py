"""`flask import csv FILE`: the plan printed row by row, then the import and one summary line."""

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.services import csvfile
from marketplace.vocab import Status

LONG = "A description long enough for the review rules, " + "and it says how it works. " * 8
ROW = {
    "title": "Heat pumps for schools",
    "kind": "solution",
    "maturity": "pilot",
    "summary": "Pumps.",
    "description": LONG.strip(),
    "challenges": "retrofit",
    "contact_email": "x@porto.example",
}


def _file(tmp_path, *rows: dict, name="entries.csv"):
    header = list(dict.fromkeys(key for row in rows for key in row))
    text = "".join(csvfile.lines(header, ([row.get(k, "") for k in header] for row in rows)))
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def ready(taxonomy, porto, curator, admin):
    return curator


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Solution))


def test_the_plan_is_printed_and_the_rows_imported(runner, ready, tmp_path):
    path = _file(tmp_path, ROW, {**ROW, "title": "Bad", "licence": "WTFPL"})
    result = runner.invoke(args=["import", "csv", str(path), "--city", "porto"])
    assert result.exit_code == 0, result.output
    assert "line 2: create Heat pumps for schools [porto]" in result.output
    assert "line 3: refused Bad [porto]" in result.output
    assert "    - licence: WTFPL is not one of the licences offered" in result.output
    assert "entries.csv: 1 created, 0 updated, 0 unchanged, 1 refused, 0 failed." in result.output
    entry = db.session.scalar(select(Solution))
    assert entry.status == Status.SUBMITTED

    again = runner.invoke(args=["import", "csv", str(path), "--city", "porto"])
    assert "line 2: unchanged" in again.output
    assert _count() == 1


def test_a_dry_run_imports_nothing(runner, ready, tmp_path):
    path = _file(tmp_path, ROW)
    result = runner.invoke(
        args=["import", "csv", str(path), "--city", "porto", "--dry-run", "--as", ready.email]
    )
    assert result.exit_code == 0, result.output
    assert "line 2: create" in result.output
    assert "Dry run: nothing imported." in result.output
    assert _count() == 0


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "is empty"),
        (b"\x00\x01\x02binary", "not a CSV file"),
        ("title\nS\u00e3o Paulo\n".encode("latin-1"), "CSV UTF-8"),
        (b"name,notes\nx,y\n", "does not know"),
    ],
)
def test_a_refused_file_exits_non_zero_with_the_reason(runner, ready, tmp_path, content, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = runner.invoke(args=["import", "csv", str(path)])
    assert result.exit_code == 1
    assert words in result.output
    assert _count() == 0


def test_an_oversized_file_is_refused_before_it_is_read(runner, ready, tmp_path, monkeypatch):
    monkeypatch.setattr("marketplace.import_cli.MAX_BYTES", 10)
    result = runner.invoke(args=["import", "csv", str(_file(tmp_path, ROW))])
    assert result.exit_code == 1
    assert "larger than" in result.output


def test_only_a_curator_imports(runner, ready, publisher, tmp_path):
    result = runner.invoke(
        args=["import", "csv", str(_file(tmp_path, ROW)), "--as", publisher.email]
    )
    assert result.exit_code == 1
    assert "Only curators import" in result.output


def test_an_unknown_city_or_account_is_named(runner, ready, tmp_path):
    path = str(_file(tmp_path, ROW))
    assert (
        "no city atlantis"
        in runner.invoke(args=["import", "csv", path, "--city", "atlantis"]).output
    )
    assert (
        "No active account" in runner.invoke(args=["import", "csv", path, "--as", "x@y.z"]).output
    )
