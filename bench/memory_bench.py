"""Memory of a searching process across saves: resident memory after warm-up and every 5 saves.

    .venv/bin/python bench/search_bench.py --docs 10000 --catalogue /tmp/cat --generate-only
    .venv/bin/python bench/memory_bench.py --docs 10000 --catalogue /tmp/cat --writes 50

Copies the kept catalogue of search_bench.py (``--catalogue``) into a temporary data dir, or uses
``--data-dir`` as it is (a data dir holding a database and a built index: its entries are
edited), builds the index in a child process when there is none (so this process only searches,
as a web worker does), runs ``--warm-up`` of search_bench's mixed queries, then ``--writes``
saves, each followed by a timed search and the same search warm (search_bench's writes phase).
The last line is machine-readable:
RESULT docs=N rss_warm_mb=X rss_after_writes_mb=X growth_mb=X after_write_p50_ms=X
  after_write_last_p50_ms=X load=X
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import search_bench as sb  # bench/ is the script's folder: on sys.path
from flask_babel import force_locale

from marketplace import create_app, search
from marketplace.search.index import current_dir
from marketplace.services.catalogue_search import search_catalogue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10000, help="entries of the catalogue")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--catalogue", type=Path, help="search_bench.py's kept catalogues")
    parser.add_argument("--data-dir", type=Path, help="a data dir to use as it is instead")
    parser.add_argument("--warm-up", type=int, default=100, help="searches before measuring")
    parser.add_argument("--writes", type=int, default=50, help="saves (in groups of 5)")
    options = parser.parse_args()
    load = os.getloadavg()[0]
    scratch = tempfile.TemporaryDirectory(prefix="memory-bench-") if not options.data_dir else None
    with scratch or nullcontext():
        data_dir = options.data_dir or Path(scratch.name)
        if options.data_dir is None:
            kept = options.catalogue / f"docs-{options.docs}-seed-{options.seed}"
            shutil.copyfile(kept / "marketplace.db", data_dir / "marketplace.db")
        app = create_app({"SECRET_KEY": "bench", "DATA_DIR": str(data_dir)})
        with app.app_context():
            if current_dir() is None:
                child = multiprocessing.get_context("fork").Process(target=search.rebuild)
                child.start()
                child.join()
            rng = random.Random(options.seed)
            queries = sb.make_queries(300, rng, sb.Corpus(), sb.facet_values())
            for request in queries[: options.warm_up]:
                with force_locale(sb.interface(request)):
                    search_catalogue(request)
            warm = sb.rss_mb()
            print(f"after {options.warm_up} searches: {warm:.0f} MB", flush=True)
            first: list[float] = []
            groups: list[float] = []
            for group in range(options.writes // 5):
                timed = sb._writes_phase(app, queries[group * 5 :], 5)
                gc.collect()
                first += timed["first"]
                groups.append(statistics.median(timed["first"]))
                print(f"after {5 * (group + 1)} saves: {sb.rss_mb():.0f} MB, first search "
                      f"after a save p50 {groups[-1]:.0f} ms", flush=True)  # fmt: skip
            after = sb.rss_mb()
    print(
        f"RESULT docs={options.docs} rss_warm_mb={warm:.0f} rss_after_writes_mb={after:.0f}"
        f" growth_mb={after - warm:.0f} after_write_p50_ms={statistics.median(first):.1f}"
        f" after_write_last_p50_ms={groups[-1]:.1f} load={load:.2f}"
    )


if __name__ == "__main__":
    main()
