"""DCAT-AP catalogue benchmark at N entries.

    .venv/bin/python bench/dcat_bench.py --docs 2000

Generates the synthetic catalogue of search_bench.py (seeded) on the demo taxonomy in a
temporary data dir and fetches /catalog.ttl and /catalog.jsonld through Flask's test client
(the whole catalogue is built per request). One machine-readable line per format:
RESULT url=... entries=N mb=X seconds=X
"""

from __future__ import annotations

import time

from synthetic_app import options, synthetic_app


def main() -> None:
    args = options(__doc__)
    from marketplace.services import exports

    with synthetic_app("dcat-bench-", args.docs, args.seed) as (app, _data_dir):
        with app.app_context():
            entries = exports.published_count()
        client = app.test_client()
        for url in ("/catalog.ttl", "/catalog.jsonld"):
            started = time.perf_counter()
            response = client.get(url)
            seconds = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            mb = len(response.data) / 1_000_000
            print(f"RESULT url={url} entries={entries} mb={mb:.1f} seconds={seconds:.1f}")


if __name__ == "__main__":
    main()
