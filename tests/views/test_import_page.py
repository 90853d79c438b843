"""/curate/import: upload, read the dry run, import what it showed; every bad file a message on the
page, never a server error."""

import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.services import csvfile
from marketplace.services.import_rows import MAX_BYTES
from marketplace.vocab import Status

LONG = (
    "A description long enough for the review rules, " + "and it says how it works. " * 8
).strip()
ROW = {
    "title": "Heat pumps for schools",
    "kind": "solution",
    "maturity": "pilot",
    "summary": "Pumps.",
    "description": LONG,
    "challenges": "retrofit",
    "contact_email": "x@porto.example",
}


def _csv(*rows: dict) -> bytes:
    header = list(dict.fromkeys(key for row in rows for key in row))
    lines = csvfile.lines(header, ([row.get(k, "") for k in header] for row in rows), bom=True)
    return "".join(lines).encode("utf-8")


@pytest.fixture
def curator_client(client_for, curator, taxonomy, porto):
    return client_for(curator)


def _upload(client, data: bytes, name="entries.csv", city="porto", **extra):
    # Encoded in memory: the test client's own encoder leaves a temporary file open above 500 KB.
    boundary, body = encode_multipart(
        {"form": "csv", "city": city, "upload": FileStorage(io.BytesIO(data), name), **extra}
    )
    return client.post(
        "/curate/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Solution))


def _hidden(html: str, name: str) -> str:
    import re

    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def test_check_then_import_with_csrf_on(app, curator_client, csrf_token_in):
    app.config["WTF_CSRF_ENABLED"] = True
    page = curator_client.get("/curate/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    token = csrf_token_in(page)
    data = _csv(ROW, {**ROW, "title": "Bad one", "licence": "WTFPL"})

    checked = _upload(curator_client, data, csrf_token=token)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200, html
    assert "<caption>What the import would do with each row</caption>" in html
    assert "Heat pumps for schools" in html
    assert "licence: WTFPL is not one of the licences offered" in html
    assert "Import 1 entry" in html
    assert _count() == 0  # a check imports nothing

    form = {"token": _hidden(html, "token"), "fingerprint": _hidden(html, "fingerprint")}
    refused = curator_client.post("/curate/import/run", data=form)  # no CSRF token
    assert refused.status_code == 400
    assert _count() == 0

    done = curator_client.post("/curate/import/run", data={**form, "csrf_token": token})
    html = done.get_data(as_text=True)
    assert done.status_code == 200, html
    assert "entries.csv: 1 created, 0 updated, 0 unchanged, 1 refused, 0 failed." in html
    assert 'href="/curate"' in html  # the review queue
    entry = db.session.scalar(select(Solution))
    assert (entry.status, entry.city.slug) == (Status.SUBMITTED, "porto")
    assert f'href="/curate/entries/{entry.id}"' in html

    again = curator_client.post("/curate/import/run", data={**form, "csrf_token": token})
    assert again.status_code == 400  # the kept file is gone once imported
    assert _count() == 1
    rechecked = _upload(curator_client, data, csrf_token=token).get_data(as_text=True)
    assert "Unchanged: 1" in rechecked


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "entries.csv is empty."),
        (b"\x00\x9f\x92\x96garbage\xff" * 100, "not a CSV file"),
        ("title\nS\u00e3o Paulo\n".encode("cp1252"), "CSV UTF-8"),
        (b"title,summary\n", "no rows"),
        (b"what,ever\n1,2\n", "does not know"),
    ],
)
def test_a_bad_file_is_a_message_on_the_page(curator_client, data, words):
    response = _upload(curator_client, data)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True).replace("&#34;", '"')
    assert _count() == 0


def test_a_formula_cell_is_a_refused_row_in_the_dry_run(curator_client):
    data = _csv(ROW).replace(b"Pumps.", b'"=HYPERLINK(""http://evil.example"",""x"")"')
    html = _upload(curator_client, data).get_data(as_text=True)
    assert "summary reads as a spreadsheet formula" in html
    assert "Nothing to import" in html


def test_a_file_over_the_import_limit_is_refused(curator_client):
    response = _upload(curator_client, b"title\n" + b"x" * MAX_BYTES)
    assert response.status_code == 400
    assert "larger than 20 MB" in response.get_data(as_text=True)


def test_a_file_over_the_pages_row_limit_is_sent_to_the_command_line(app, curator_client):
    app.config["IMPORT_PAGE_MAX_ROWS"] = 2
    response = _upload(curator_client, _csv(ROW, {**ROW, "title": "Two"}, {**ROW, "title": "3"}))
    assert response.status_code == 400
    assert "has 3 rows; this page imports at most 2" in response.get_data(as_text=True)
    assert _count() == 0


def test_a_request_over_the_upload_limit_is_a_413_page_message(app, curator_client):
    app.config["UPLOAD_REQUEST_MAX_BYTES"] = 2_000
    response = _upload(curator_client, b"title\n" + b"x" * 5_000)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "The file is larger than" in html
    assert "<h1>Import entries</h1>" in html


def test_the_import_stops_when_the_catalogue_changed_since_the_check(
    curator_client, make_solution, porto
):
    html = _upload(curator_client, _csv(ROW)).get_data(as_text=True)
    make_solution(title="Heat pumps for schools", city=porto, status=Status.DRAFT)
    form = {"token": _hidden(html, "token"), "fingerprint": _hidden(html, "fingerprint")}
    response = curator_client.post("/curate/import/run", data=form)
    assert response.status_code == 409
    assert "The catalogue changed since your check" in response.get_data(as_text=True)
    assert _count() == 1  # only the entry made meanwhile


def test_a_kept_file_is_only_its_uploaders(curator_client, client_for, make_user):
    html = _upload(curator_client, _csv(ROW)).get_data(as_text=True)
    form = {"token": _hidden(html, "token"), "fingerprint": _hidden(html, "fingerprint")}
    other = client_for(make_user(role="curator"))
    assert other.post("/curate/import/run", data=form).status_code == 400
    assert _count() == 0


@pytest.mark.parametrize("who", ["anonymous", "publisher"])
def test_only_curators_reach_the_page(client, client_for, publisher, who):
    browser = client if who == "anonymous" else client_for(publisher)
    response = browser.get("/curate/import")
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert _upload(browser, _csv(ROW)).status_code in (302, 403)


def test_the_curators_menu_links_the_page(curator_client):
    assert 'href="/curate/import"' in curator_client.get("/curate").get_data(as_text=True)
