"""The open-data dump: `flask export dump` writes a zip a harvester can read whole, and /data/
serves the newest one."""

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCAT
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import City, Solution, SolutionTranslation
from marketplace.services import dump, exports
from marketplace.vocab import Status

BASE = "https://data.example/market"
TABLES = ("solutions", "cities", "tracks", "challenges", "services", "sdgs")


@pytest.fixture
def catalogue(app, make_solution, make_city, taxonomy):
    app.config["BASE_URL"] = BASE
    porto = make_city(slug="porto", name="Porto", profile="=cmd| profile")
    roofs = make_solution(
        slug="solar-roofs",
        title="Solar roofs",
        city=porto,
        services=[taxonomy["service"]],
        sdgs=taxonomy["sdgs"][:1],
        published_at=datetime(2025, 3, 1, tzinfo=UTC),
    )
    roofs.translations = [SolutionTranslation(language="pt", title="Telhados solares")]
    for n in range(5):
        make_solution(slug=f"entry-{n}", title=f"Entry {n}", city=porto)
    make_solution(slug="secret-draft", title="Unpublished draft words", status=Status.DRAFT)
    make_solution(slug="old-archived", title="Archived words", status=Status.ARCHIVED)
    make_solution(slug="in-review", title="Submitted words", status=Status.SUBMITTED)
    db.session.commit()


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def _jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def _csv(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _published() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Solution).where(Solution.status == Status.PUBLISHED)
    )


def test_the_dump_holds_every_published_record_as_json_and_csv(runner, catalogue, tmp_path):
    target = tmp_path / "dump.zip"
    result = runner.invoke(args=["export", "dump", str(target)])

    assert result.exit_code == 0, result.output
    assert f"Dump written to {target}" in result.output
    members = _members(target)
    expected = {f"{t}.{form}" for t in TABLES for form in ("jsonl", "csv")}
    assert set(members) == expected | {"catalog.ttl", "README.txt", "LICENCE.txt", "manifest.json"}
    manifest = json.loads(members["manifest.json"])
    for table in TABLES:
        rows, table_csv = _jsonl(members[f"{table}.jsonl"]), _csv(members[f"{table}.csv"])
        assert len(rows) == len(table_csv) == manifest["counts"][table]
    solutions = _jsonl(members["solutions.jsonl"])
    assert len(solutions) == _published() == 6
    assert manifest["counts"]["cities"] == db.session.scalar(select(func.count(City.id)))
    assert manifest["counts"]["tracks"] == 2
    assert manifest["counts"]["sdgs"] == 2
    rows = _csv(members["solutions.csv"])
    assert list(rows[0]) == exports.SOLUTIONS.header
    assert {row["slug"] for row in rows} == {entry["slug"] for entry in solutions}
    porto = next(row for row in _csv(members["cities.csv"]) if row["slug"] == "porto")
    assert porto["profile"] == "'=cmd| profile"  # made text for spreadsheets
    assert len(porto["solutions"].split(";")) == 6


def test_a_dumped_entry_is_its_api_record(app, runner, catalogue, tmp_path):
    runner.invoke(args=["export", "dump", str(tmp_path / "dump.zip")])
    solutions = _jsonl(_members(tmp_path / "dump.zip")["solutions.jsonl"])

    roofs = next(entry for entry in solutions if entry["slug"] == "solar-roofs")
    api = app.test_client().get("/api/v1/solutions/solar-roofs?lang=en").get_json()
    assert roofs == api
    assert roofs["translations"][0]["title"] == "Telhados solares"


def test_no_unpublished_data_is_anywhere_in_the_dump(runner, catalogue, tmp_path):
    runner.invoke(args=["export", "dump", str(tmp_path / "dump.zip")])

    for name, data in _members(tmp_path / "dump.zip").items():
        text = data.decode("utf-8")
        for word in ("secret-draft", "old-archived", "in-review", "draft words", "Submitted"):
            assert word not in text, (name, word)


def test_the_readme_and_licence_say_what_is_inside_and_under_which_licence(
    app, runner, catalogue, tmp_path
):
    app.config["DATA_LICENCE"] = "ODbL-1.0"
    app.config["DATA_LICENCE_URL"] = "https://opendatacommons.org/licenses/odbl/1-0/"
    runner.invoke(args=["export", "dump", str(tmp_path / "dump.zip")])
    members = _members(tmp_path / "dump.zip")

    readme = members["README.txt"].decode()
    assert "ODbL-1.0 (https://opendatacommons.org/licenses/odbl/1-0/)" in readme
    assert "solutions.jsonl, solutions.csv: 6 rows" in readme
    assert "solutions.csv: " + ", ".join(exports.SOLUTIONS.header) in readme
    assert "Generated: " in readme
    assert "https://opendatacommons.org/licenses/odbl/1-0/" in members["LICENCE.txt"].decode()
    assert json.loads(members["manifest.json"])["licence"]["name"] == "ODbL-1.0"


def test_the_default_licence_is_cc_by_4(runner, catalogue, tmp_path):
    runner.invoke(args=["export", "dump", str(tmp_path / "dump.zip")])

    licence = _members(tmp_path / "dump.zip")["LICENCE.txt"].decode()
    assert "CC BY 4.0" in licence
    assert "https://creativecommons.org/licenses/by/4.0/" in licence


def test_the_dump_holds_the_dcat_ap_catalogue_of_its_entries(runner, catalogue, tmp_path):
    runner.invoke(args=["export", "dump", str(tmp_path / "dump.zip")])
    members = _members(tmp_path / "dump.zip")

    graph = Graph().parse(data=members["catalog.ttl"].decode("utf-8"), format="turtle")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == _published() == 6
    assert URIRef(f"{BASE}/solutions/solar-roofs#dataset") in datasets
    assert "catalog.ttl: the catalogue in DCAT-AP" in members["README.txt"].decode()
    assert "catalog.ttl" in json.loads(members["manifest.json"])["files"]


def test_files_other_modules_add_join_the_dump(runner, catalogue, tmp_path, monkeypatch):
    extra = dump.Member("catalog.ttl", lambda: ["@prefix dcat: <x> .\n"], "the DCAT-AP file")
    monkeypatch.setattr(dump, "extra_members", lambda: [extra])
    runner.invoke(args=["export", "dump", str(tmp_path / "dump.zip")])

    members = _members(tmp_path / "dump.zip")
    assert members["catalog.ttl"] == b"@prefix dcat: <x> .\n"
    assert "catalog.ttl: the DCAT-AP file" in members["README.txt"].decode()
    assert "catalog.ttl" in json.loads(members["manifest.json"])["files"]


def test_without_a_terminal_there_is_no_progress_bar(runner, catalogue, tmp_path):
    result = runner.invoke(args=["export", "dump", str(tmp_path / "dump.zip")])

    assert result.output.count("\n") == 1  # the summary line only
    assert "rows/s" not in result.output
    assert "%|" not in result.output


def test_a_failed_dump_leaves_no_file(runner, catalogue, tmp_path, monkeypatch):
    def broken(slug):
        raise OSError("disk full")

    monkeypatch.setattr(dump.records, "city", broken)
    (tmp_path / "out").mkdir()
    result = runner.invoke(args=["export", "dump", str(tmp_path / "out" / "dump.zip")])

    assert result.exit_code == 1
    assert "disk full" in result.output
    assert list((tmp_path / "out").iterdir()) == []


def test_into_the_dumps_folder_by_default_keeping_the_newest(app, runner, catalogue):
    folder = Path(app.config["DUMP_DIR"])
    folder.mkdir(parents=True)
    older = ["tech4good-dump-20200101T000000Z.zip", "tech4good-dump-20210101T000000Z.zip"]
    for name in older:
        (folder / name).write_bytes(b"old")
    (folder / "notes.txt").write_text("not a dump")

    result = runner.invoke(args=["export", "dump", "--keep", "2"])

    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 3
    assert names[:2] == ["notes.txt", older[1]]
    assert dump.NAME.match(names[2])
    assert names[2] > older[1]
    assert f"Removed the older dump {older[0]}" in result.output


def test_the_data_page_lists_the_latest_dump_and_serves_it(app, client, runner, catalogue):
    runner.invoke(args=["export", "dump"])
    [path] = Path(app.config["DUMP_DIR"]).iterdir()
    (path.parent / "tech4good-dump-20200101T000000Z.zip").write_bytes(b"not a zip")

    page = client.get("/data/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'href="/data/{path.name}"' in text
    assert "CC BY 4.0" in text
    assert "6 published entries" in text
    assert " MB" in text

    origin = {"Origin": "https://elsewhere.example"}
    with client.get(f"/data/{path.name}", headers=origin) as download:  # closes the file
        assert download.status_code == 200
        assert download.mimetype == "application/zip"
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["Access-Control-Allow-Origin"] == "*"
        assert download.data == path.read_bytes()
        etag = download.headers["ETag"]
    with client.get(f"/data/{path.name}", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304


def test_the_data_page_without_a_dump_says_so(client, ctx):
    page = client.get("/data/")

    assert page.status_code == 200
    assert "No dump is available yet." in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "name", ["secret_key", "..%2Fsecret_key", "marketplace.db", "tech4good-dump-x.zip"]
)
def test_only_dumps_are_served_from_data(app, client, ctx, name):
    Path(app.config["DUMP_DIR"]).mkdir(parents=True, exist_ok=True)
    (Path(app.config["DUMP_DIR"]) / "secret_key").write_text("no")

    assert client.get(f"/data/{name}").status_code == 404
