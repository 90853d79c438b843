"""DCAT-AP catalogue benchmark at N entries.

    .venv/bin/python bench/dcat_bench.py --docs 2000

Generates the synthetic catalogue of search_bench.py (seeded) on the demo taxonomy in a
temporary data dir and fetches /catalog.ttl and /catalog.jsonld through Flask's test client
(the whole catalogue is built per request). One machine-readable line per format:
RESULT url=... entries=N mb=X seconds=X
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="synthetic entries to generate")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    import search_bench

    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.services import demo, exports

    with tempfile.TemporaryDirectory(prefix="dcat-bench-") as data_dir:
        settings = {"SEARCH_ENCODER": "none", "SEARCH_EMBED_IN_BACKGROUND": False}
        app = create_app({"SECRET_KEY": "bench", "DATA_DIR": data_dir, **settings})
        with app.app_context():
            db.create_all()
            demo.seed_demo()
            search_bench.generate(options.docs, random.Random(options.seed), search_bench.Corpus())
            entries = exports.published_count()
        client = app.test_client()
        for url in ("/catalog.ttl", "/catalog.jsonld"):
            started = time.perf_counter()
            response = client.get(url)
            seconds = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            mb = len(response.data) / 1_000_000
            print(f"RESULT url={url} entries={entries} mb={mb:.1f} seconds={seconds:.1f}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
