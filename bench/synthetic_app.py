"""The set-up the open-data benches share: an app on a temporary data dir holding the demo
taxonomy and N seeded synthetic entries of search_bench.py's generator."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))

# Words only: the benches measure exports, not the sentence encoder.
SETTINGS = {"SECRET_KEY": "bench", "SEARCH_ENCODER": "none", "SEARCH_EMBED_IN_BACKGROUND": False}


def options(doc: str) -> argparse.Namespace:
    """--docs and --seed, with the bench's docstring's first line as its description."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="synthetic entries to generate")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


@contextmanager
def synthetic_app(prefix: str, docs: int, seed: int, *, index: bool = False) -> Iterator:
    """(app, data_dir) with the catalogue built (and its search index with ``index``); the
    database connections are closed before and after, so a child process may use the file."""
    import search_bench

    from marketplace import create_app, search
    from marketplace.extensions import db
    from marketplace.services import demo

    with tempfile.TemporaryDirectory(prefix=prefix) as data_dir:
        app = create_app({"DATA_DIR": data_dir, **SETTINGS})
        with app.app_context():
            db.create_all()
            demo.seed_demo()
            started = time.perf_counter()
            search_bench.generate(docs, random.Random(seed), search_bench.Corpus())
            if index:
                search.rebuild()
            print(f"built {docs} entries in {time.perf_counter() - started:.0f} s")
            db.engine.dispose()
        try:
            yield app, data_dir
        finally:
            with app.app_context():
                db.engine.dispose()
