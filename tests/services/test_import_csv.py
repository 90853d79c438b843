"""The CSV import's reader: what the export writes reads back; other files get a clear refusal."""

import pytest

from marketplace.services import csvfile, import_csv
from marketplace.services.exports import SOLUTIONS
from marketplace.services.import_rows import MAX_BYTES, UnreadableFile

pytestmark = pytest.mark.usefixtures("ctx")


def _csv(*rows: list[str], header=("slug", "title", "summary", "description")) -> bytes:
    return "".join(csvfile.lines(header, rows, bom=True)).encode("utf-8")


def test_rows_are_keyed_by_the_export_columns_with_cells_restored():
    data = _csv(
        ["a", "=1+1 is not a formula here", "'quoted", "- a Markdown list\n- second"],
        ["b", "Second", "", "@ home"],
    )
    rows = import_csv.read("solutions.csv", data)
    assert [row.label for row in rows] == ["line 2", "line 4"]  # the second row starts on 4
    assert rows[0].fields == {
        "slug": "a",
        "title": "=1+1 is not a formula here",  # the export's apostrophe is taken off again
        "summary": "'quoted",
        "description": "- a Markdown list\n- second",
    }
    assert rows[0].problems == []
    assert rows[1].problems == []
    assert rows[1].fields["description"] == "@ home"


def test_a_formula_typed_into_a_spreadsheet_refuses_its_row_and_is_not_kept():
    data = b'title,website\nSolar roofs,"=HYPERLINK(""http://evil.example"")"\nOther,+SUM(A1)\n'
    rows = import_csv.read("mine.csv", data)
    assert "website" not in rows[0].fields
    assert "formula" in rows[0].problems[0]
    assert "website" in rows[0].problems[0]
    assert rows[1].problems
    assert "website" not in rows[1].fields


def test_without_bom_and_with_semicolons_as_a_european_spreadsheet_saves_it():
    rows = import_csv.read("x.csv", "slug;title;challenges\nx;Bicis é;a;b\n".encode())
    assert rows[0].problems  # four cells under three columns: a separator out of place
    rows = import_csv.read("x.csv", 'slug;title;challenges\nx;Bicis é;"a;b"\n'.encode())
    assert rows[0].fields == {"slug": "x", "title": "Bicis é", "challenges": "a;b"}


def test_blank_lines_and_trailing_unnamed_columns_are_ignored():
    rows = import_csv.read("x.csv", b"title,,\n\nOne,,\n,,\nTwo,,\n")
    assert [row.fields for row in rows] == [{"title": "One"}, {"title": "Two"}]


def test_the_export_header_reads_whole():
    rows = import_csv.read("x.csv", _csv(["v"] * len(SOLUTIONS.header), header=SOLUTIONS.header))
    assert set(rows[0].fields) == set(SOLUTIONS.header)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (b"title,summary\r\n", "no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV file"),
        ("title\nhello\n".encode("utf-16"), "UTF-16"),
        ("title\nCaf\u00e9 in Lisboa\n".encode("cp1252"), "not in UTF-8"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "not a CSV file"),
        (b"title,notes\nx,y\n", "notes"),
        (b"summary\nx\n", "no title column"),
        (b"title,title\nx,y\n", "more than once"),
        (b'title\n"unterminated\nx"y\n', "import can read"),
        (b'{"title": "json"}\n', "does not know"),
    ],
)
def test_a_file_that_is_not_such_a_csv_is_refused_whole_with_a_reason(data, words):
    with pytest.raises(UnreadableFile) as refused:
        import_csv.read("upload.csv", data)
    assert words in str(refused.value)
    assert "upload.csv" in str(refused.value)


def test_the_fix_for_a_wrong_encoding_is_named():
    with pytest.raises(UnreadableFile, match="CSV UTF-8"):
        import_csv.read("x.csv", "title\nS\u00e3o Paulo\n".encode("latin-1"))


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(UnreadableFile, match="larger than 20 MB"):
        import_csv.read("big.csv", b"title\n" + b"x" * MAX_BYTES)


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(import_csv, "MAX_ROWS", 3)
    assert len(import_csv.read("x.csv", b"title\na\nb\nc\n")) == 3
    with pytest.raises(UnreadableFile, match="more than 3 rows"):
        import_csv.read("x.csv", b"title\na\nb\nc\nd\n")


def test_a_cell_past_the_field_size_limit_is_refused():
    with pytest.raises(UnreadableFile, match="field larger than field limit"):
        import_csv.read("x.csv", b'title\n"' + b"x" * 200_000 + b'"\n')


@pytest.mark.parametrize(
    ("value", "formula"),
    [
        ('=HYPERLINK("x")', True),
        ("  =1+1", True),
        ("+cmd|' /C calc'!A0", True),
        ("-SUM(A1:A2)", True),
        ("@SUM(A1)", True),
        ("- a list item", False),
        ("+351 222 000 000", False),
        ("@porto on social media", False),
        ("A title", False),
    ],
)
def test_what_reads_as_a_formula(value, formula):
    assert import_csv.looks_like_formula(value) is formula
