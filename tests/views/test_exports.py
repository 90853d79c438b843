"""Search downloads (/solutions.csv, /solutions.jsonl): every match of the page's search, in its
order, as a spreadsheet or as the API's records; only published entries, conditional, open to
scripts of any site."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from page_reader import parse

from marketplace import search
from marketplace.extensions import db
from marketplace.models import Solution, SolutionTranslation
from marketplace.services import csvfile, exports
from marketplace.vocab import Status

BASE = "https://data.example/market"


@pytest.fixture
def catalogue(app, make_solution, make_city, taxonomy):
    app.config["BASE_URL"] = BASE
    porto = make_city(slug="porto", name="Porto", country="PT")
    sofia = make_city(slug="sofia", name="Sofia", country="BG")
    ch = taxonomy["challenges"]
    roofs = make_solution(
        slug="solar-roofs",
        title="Solar roofs on schools",
        summary='=HYPERLINK("https://evil.example") panels',
        description="Panels on **forty** schools.",
        city=porto,
        challenges=[ch["retrofit"]],
        services=[taxonomy["service"]],
        sdgs=taxonomy["sdgs"],
        licence="EUPL-1.2",
        languages=["pt", "en"],
        contact_name="Ana",
        contact_email="ana@porto.example",
        published_at=datetime(2025, 3, 1, tzinfo=UTC),
    )
    roofs.translations = [SolutionTranslation(language="pt", title="Telhados solares")]
    make_solution(
        slug="bike-lanes",
        title="Bike lanes for deliveries",
        summary="-20% vans in the centre.",
        city=sofia,
        challenges=[ch["last-mile"]],
        published_at=datetime(2025, 2, 1, tzinfo=UTC),
    )
    make_solution(
        slug="cargo-bikes",
        title="Cargo bikes share",
        summary="Shared cargo bikes for shops.",
        city=sofia,
        challenges=[ch["last-mile"]],
        contact_name="Hidden",
        contact_email="hidden@sofia.example",
        contact_public=False,
        published_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    make_solution(slug="secret-draft", title="Solar draft bikes", status=Status.DRAFT)
    make_solution(slug="old-archived", title="Solar archived bikes", status=Status.ARCHIVED)
    db.session.commit()
    search.rebuild()


def _csv(response) -> list[dict]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _jsonl(response) -> list[dict]:
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def test_csv_lists_every_match_with_the_import_columns(client, catalogue):
    response = client.get("/solutions.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.get_data().startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read UTF-8
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert disposition.endswith('.csv"')
    rows = _csv(response)
    assert list(rows[0]) == exports.SOLUTIONS.header
    assert [row["slug"] for row in rows] == ["solar-roofs", "bike-lanes", "cargo-bikes"]  # newest
    roofs = rows[0]
    assert roofs["city"] == "porto"
    assert roofs["tracks"] == "green"
    assert roofs["challenges"] == "retrofit"
    assert roofs["services"] == "open-data"
    assert roofs["sdgs"] == "7;11"
    assert roofs["languages"] == "pt;en"
    assert roofs["translations"] == "pt"
    assert roofs["licence"] == "EUPL-1.2"
    assert roofs["description"] == "Panels on **forty** schools."  # the Markdown source
    assert roofs["contact_email"] == "ana@porto.example"
    assert roofs["url"] == f"{BASE}/solutions/solar-roofs"
    assert roofs["published_at"] == "2025-03-01T00:00:00Z"
    assert rows[2]["contact_email"] == ""  # its city keeps the contact private
    assert response.headers["X-Total-Count"] == "3"


def test_csv_cells_that_a_spreadsheet_would_run_are_text(client, catalogue):
    rows = _csv(client.get("/solutions.csv"))
    by_slug = {row["slug"]: row for row in rows}

    assert by_slug["solar-roofs"]["summary"] == '\'=HYPERLINK("https://evil.example") panels'
    assert by_slug["bike-lanes"]["summary"] == "'-20% vans in the centre."
    assert csvfile.restore_cell(by_slug["bike-lanes"]["summary"]) == "-20% vans in the centre."


@pytest.mark.parametrize(
    "value", ["=1+2", "+x", "-5", "@SUM(A1)", "\tx", "\rx", "'quoted", "''=x", "plain", ""]
)
def test_a_neutralised_cell_restores_to_what_was_exported(value):
    cell = csvfile.safe_cell(value)

    assert cell[:1] not in csvfile.FORMULA_STARTS
    assert csvfile.restore_cell(cell) == value


def test_jsonl_lines_are_the_api_records(client, catalogue):
    response = client.get("/solutions.jsonl?q=bikes")

    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.headers["Content-Disposition"].endswith('.jsonl"')
    lines = _jsonl(response)
    assert {line["slug"] for line in lines} == {"bike-lanes", "cargo-bikes"}
    for line in lines:
        assert line == client.get(f"/api/v1/solutions/{line['slug']}").get_json()


@pytest.mark.parametrize("form", ["csv", "jsonl"])
def test_downloads_follow_the_query_facets_and_sort_of_the_page(client, catalogue, form):
    def slugs(query):
        response = client.get(f"/solutions.{form}?{query}")
        assert response.status_code == 200
        rows = _csv(response) if form == "csv" else _jsonl(response)
        return [row["slug"] for row in rows]

    assert slugs("track=mobility") == ["bike-lanes", "cargo-bikes"]
    assert slugs("track=green&track=mobility&city=porto") == ["solar-roofs"]
    assert slugs("q=solar") == ["solar-roofs"]
    assert slugs("sort=title") == ["bike-lanes", "cargo-bikes", "solar-roofs"]
    assert slugs("sort=title&page=2&per_page=1") == ["bike-lanes", "cargo-bikes", "solar-roofs"]


@pytest.mark.parametrize("form", ["csv", "jsonl"])
def test_unpublished_entries_are_never_in_a_download(client, auth, catalogue, curator, form):
    auth.sign_in(curator)  # curators see drafts elsewhere; a download is the public's
    for query in ("", "q=solar", "q=draft+archived", "sort=title"):
        body = client.get(f"/solutions.{form}?{query}").get_data(as_text=True)
        assert "secret-draft" not in body
        assert "old-archived" not in body


def test_an_entry_unpublished_after_the_search_is_left_out(app, catalogue):
    with app.test_request_context():
        found = exports.find(search.SearchRequest(), limit=100)
    entry = db.session.scalar(db.select(Solution).filter_by(slug="bike-lanes"))
    entry.status = Status.ARCHIVED
    db.session.commit()
    body = "".join(found.lines("jsonl"))
    assert "bike-lanes" not in body
    assert "solar-roofs" in body


@pytest.mark.parametrize("form", ["csv", "jsonl"])
def test_an_unchanged_download_answers_304(client, catalogue, form):
    first = client.get(f"/solutions.{form}?track=mobility")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

    again = client.get(f"/solutions.{form}?track=mobility", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    since = client.get(f"/solutions.{form}?track=mobility", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = client.get(f"/solutions.{form}?track=green", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_a_changed_catalogue_changes_the_etag(client, catalogue, make_solution):
    etag = client.get("/solutions.csv").headers["ETag"]
    make_solution(slug="new-one", title="New one", published_at=datetime(2025, 4, 1, tzinfo=UTC))
    search.rebuild()

    response = client.get("/solutions.csv", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "new-one" in response.get_data(as_text=True)


@pytest.mark.parametrize("form", ["csv", "jsonl"])
def test_an_empty_result_is_an_empty_file(client, catalogue, form):
    response = client.get(f"/solutions.{form}?q=zzqqxxnothing&exact=1")

    assert response.status_code == 200
    if form == "csv":
        assert response.get_data().decode("utf-8-sig").splitlines() == [
            ",".join(exports.SOLUTIONS.header)
        ]
    else:
        assert response.data == b""
    assert response.headers["X-Total-Count"] == "0"


@pytest.mark.parametrize(
    "query",
    [
        "q=NOT+OR+x",
        "q=created:[x+TO]",
        "q=%22unclosed",
        "q=-",
        "q=" + "x" * 5000,
        "q=%00",
        "track=%00&city=" + "y" * 500,
        "sort=evil&page=-1&per_page=abc",
        "page=99999999999999999999&per_page=0",
        "lang=xx",
        "sdg=not-a-number&cost=%F0%9F%92%A5",
        "q=%ED%A0%80",  # a lone surrogate, percent-encoded
    ],
)
@pytest.mark.parametrize("form", ["csv", "jsonl"])
def test_hostile_parameters_get_a_file_not_an_error(client, catalogue, form, query):
    response = client.get(f"/solutions.{form}?{query}")

    assert response.status_code == 200
    response.get_data()  # the stream runs to its end


def test_downloads_are_readable_by_scripts_of_any_site(client, catalogue):
    response = client.get("/solutions.jsonl", headers={"Origin": "https://elsewhere.example"})

    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/solutions.csv",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]


def test_a_download_stops_at_its_limit_and_says_how_many_matched(app, client, catalogue):
    app.config["EXPORT_MAX_ROWS"] = 2
    response = client.get("/solutions.csv")

    assert [row["slug"] for row in _csv(response)] == ["solar-roofs", "bike-lanes"]
    assert response.headers["X-Total-Count"] == "3"
    page = parse(client.get("/solutions"))
    assert "first 2 of these entries" in page.text


def test_the_results_page_links_the_downloads_of_its_search(client, catalogue):
    page = parse(client.get("/solutions?q=bikes&track=mobility&sort=title&page=1"))

    links = {a.text: a["href"] for a in page.find_all("a") if "download" in a.attrs}
    assert links == {
        "CSV for spreadsheets": "/solutions.csv?q=bikes&track=mobility&sort=title",
        "JSON Lines (one full record a line)": "/solutions.jsonl?q=bikes&track=mobility&sort=title",
    }


def test_without_an_index_a_download_answers_503(client, ctx):
    response = client.get("/solutions.csv")

    assert response.status_code == 503
    assert response.headers["Retry-After"]
