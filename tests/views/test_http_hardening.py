"""Security headers on error answers, HSTS in production, compression and static caching."""

import gzip
import hashlib
from pathlib import Path

import brotli
import pytest
from databases import release
from flask import url_for
from security_headers import csp, missing_headers

from marketplace import create_app
from marketplace.static_files import FOREVER, Versions

# Apps of their own that serve only static files here: no tables needed.
OWN_APP = {"TESTING": True, "SEARCH_ENCODER": "none", "SEARCH_EMBED_IN_BACKGROUND": False}
STATIC = Path(__file__).resolve().parent.parent.parent / "static"
SITE_CSS_HASH = hashlib.sha256((STATIC / "site.css").read_bytes()).hexdigest()[:12]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/no-such-page", 404),
        ("GET", "/api/no-such-thing", 404),
        ("GET", "/solutions.csv?q=x", 503),  # no search index yet
        ("GET", "/solutions.jsonl?track=x", 503),
        ("GET", "/static/no-such-file.css", 404),
        ("GET", "/curate/entries/999999", 302),  # to the sign-in page
        ("DELETE", "/", 405),
        ("GET", "/reset/not-a-token", 400),
        ("POST", "/language", 400),
        ("GET", "/sitemap-9.xml", 404),
    ],
)
def test_error_answers_carry_the_security_headers(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert missing_headers(response) == []


@pytest.mark.parametrize("path", ["/sitemap.xml", "/robots.txt"])
def test_the_crawlers_files_carry_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert missing_headers(response) == []


def test_forbidden_answers_carry_the_security_headers(auth, publisher):
    response = auth.sign_in(publisher).get("/curate")
    assert response.status_code == 403
    assert missing_headers(response) == []


def test_hsts_only_in_production(tmp_path, client):
    assert "Strict-Transport-Security" not in client.get("/about").headers
    app = create_app(
        {**OWN_APP, "DATA_DIR": str(tmp_path), "ENV": "production", "SECRET_KEY": "production"}
    )
    with app.test_client().get("/static/site.css") as response:
        assert missing_headers(response, production=True) == []
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    release(app)


def test_the_policy_is_configurable(tmp_path):
    policy = {"default-src": "'self'", "img-src": "'self' https://images.example"}
    app = create_app(
        {**OWN_APP, "DATA_DIR": str(tmp_path), "SECRET_KEY": "x", "CONTENT_SECURITY_POLICY": policy}
    )
    with app.test_client().get("/static/site.css") as response:
        assert csp(response) == policy
    release(app)


# Compression (compression.py): pages with a CSRF token only for same-origin and typed visits.


@pytest.mark.parametrize("site", ["same-origin", "none"])
@pytest.mark.parametrize(
    ("encoding", "decompress"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_pages_are_compressed_for_the_site_itself(client, site, encoding, decompress):
    plain = client.get("/about", headers={"Sec-Fetch-Site": site}).data
    response = client.get("/about", headers={"Accept-Encoding": encoding, "Sec-Fetch-Site": site})
    assert response.headers["Content-Encoding"] == encoding
    assert len(response.data) < len(plain) / 2
    assert b'name="csrf_token"' in decompress(response.data)
    assert "Sec-Fetch-Site" in response.headers["Vary"]


def test_brotli_is_preferred(client):
    headers = {"Accept-Encoding": "gzip, deflate, br, zstd", "Sec-Fetch-Site": "same-origin"}
    assert client.get("/about", headers=headers).headers["Content-Encoding"] == "br"


@pytest.mark.parametrize("site", ["cross-site", "same-site", None])
def test_pages_with_a_csrf_token_are_not_compressed_for_other_sites(client, site):
    """BREACH: another site must not be able to measure a page holding a secret."""
    headers = {"Accept-Encoding": "br, gzip"} | ({"Sec-Fetch-Site": site} if site else {})
    response = client.get("/about", headers=headers)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert b'name="csrf_token"' in response.data
    assert {"Sec-Fetch-Site", "Accept-Encoding"} <= set(response.vary)


def test_what_holds_no_secret_is_compressed_for_anyone(demo_client):
    headers = {"Accept-Encoding": "gzip", "Sec-Fetch-Site": "cross-site"}
    api = demo_client.get("/api/v1/solutions", headers=headers)
    assert api.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(api.data).startswith(b"{")
    with demo_client.get("/static/site.css", headers=headers) as css:
        assert css.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(css.data) == (STATIC / "site.css").read_bytes()


def test_small_answers_are_left_as_they_are(client):
    response = client.get("/search/suggest?q=zz", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


# Static files (static_files.py): a content hash in the URL, cached for a year with it.


def test_url_for_static_names_the_content(app):
    with app.test_request_context():
        assert url_for("static", filename="site.css") == f"/static/site.css?v={SITE_CSS_HASH}"
        assert url_for("static", filename="missing.css") == "/static/missing.css"


def test_pages_link_the_versioned_files(client):
    page = client.get("/").get_data(as_text=True)
    assert f'href="/static/site.css?v={SITE_CSS_HASH}"' in page
    assert "/static/favicon.svg?v=" in page


def test_search_page_loads_the_versioned_script(demo_client):
    page = demo_client.get("/solutions").get_data(as_text=True)
    digest = hashlib.sha256((STATIC / "search.js").read_bytes()).hexdigest()[:12]
    assert f'src="/static/search.js?v={digest}"' in page


def test_a_versioned_file_is_cached_for_a_year(client):
    with client.get(f"/static/site.css?v={SITE_CSS_HASH}") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == FOREVER
        assert missing_headers(response) == []


@pytest.mark.parametrize("query", ["", "?v=0123456789ab"])  # no version, or an old one
def test_other_static_urls_are_cached_briefly(client, query):
    with client.get(f"/static/site.css{query}") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=300"


def test_a_static_file_does_not_vary_by_visitor(client, app):
    with client.get(f"/static/site.css?v={SITE_CSS_HASH}") as response:
        assert "Cookie" not in response.headers.get("Vary", "")
        assert "Set-Cookie" not in response.headers
    with client.get("/") as page:  # pages still do: they show who is signed in
        assert "Cookie" in page.headers["Vary"]


def test_a_revalidated_file_keeps_its_caching(client):
    with client.get("/static/site.css") as first:
        etag = first.headers["ETag"]
    with client.get("/static/site.css", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.headers["Cache-Control"] == "public, max-age=300"


def test_each_file_is_hashed_once_per_process(tmp_path):
    (tmp_path / "a.css").write_text("p {}")
    versions = Versions(str(tmp_path))
    first = versions.of("a.css")
    (tmp_path / "a.css").write_text("p { color: red }")  # a deploy restarts the processes
    assert versions.of("a.css") == first == hashlib.sha256(b"p {}").hexdigest()[:12]
    assert Versions(str(tmp_path)).of("a.css") != first
    assert versions.of("../secret") is None
    assert versions.of("missing.css") is None
