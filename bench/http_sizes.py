"""Bytes on the wire for the main pages: raw, gzip and brotli, as the app serves them.

    .venv/bin/python bench/http_sizes.py

Seeds the demo catalogue into a temporary data dir (SQLite), then requests each path through
the app with ``Accept-Encoding`` identity, gzip and br, as a same-site visit (``Sec-Fetch-Site:
none``), and once as another site would (``cross-site``), where pages with a CSRF token stay
uncompressed (compression.py, BREACH).
"""

from __future__ import annotations

import tempfile

from marketplace import create_app

PATHS = ("/", "/solutions", "/solutions?q=data&country=PT", "/api/v1/solutions", "site.css")


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(
            {
                "DATA_DIR": data_dir,
                "SECRET_KEY": "bench",
                "SEARCH_ENCODER": "none",
                "SEARCH_EMBED_IN_BACKGROUND": False,
            }
        )
        runner = app.test_cli_runner()
        for args in (["db", "upgrade"], ["seed-demo", "--if-empty"], ["search", "rebuild"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        with app.test_request_context():
            from flask import url_for

            css = url_for("static", filename="site.css")
        client = app.test_client()
        print(f"{'path':34} {'raw':>8} {'gzip':>8} {'br':>8} {'br, cross-site':>15}")
        for path in PATHS:
            path = css if path == "site.css" else path
            sizes = []
            for encoding, site in (("identity", "none"), ("gzip", "none"), ("br", "none"),
                                   ("br", "cross-site")):  # fmt: skip
                headers = {"Accept-Encoding": encoding, "Sec-Fetch-Site": site}
                with client.get(path, headers=headers) as response:
                    assert response.status_code == 200, (path, response.status_code)
                    sizes.append(len(response.get_data()))
            print(f"{path[:34]:34} " + " ".join(f"{size:>8,}" for size in sizes[:3]) +
                  f" {sizes[3]:>15,}")  # fmt: skip


if __name__ == "__main__":
    main()
