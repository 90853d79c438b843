"""Open-data dump and search download benchmark at N entries.

    .venv/bin/python bench/export_bench.py --docs 10000

Generates the synthetic catalogue of search_bench.py (seeded) on the demo taxonomy in a
temporary data dir, builds the search index, then runs `flask --app marketplace export dump` in
a child process (its wall time and peak RSS, from getrusage of the children) and downloads
/solutions.csv (every entry up to EXPORT_MAX_ROWS) through Flask's test client. The last line is
machine-readable:
RESULT docs=N dump_mb=X dump_s=X dump_peak_rss_mb=X csv_rows=N csv_s=X
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import subprocess
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

    from marketplace import create_app, search
    from marketplace.extensions import db
    from marketplace.services import demo

    with tempfile.TemporaryDirectory(prefix="export-bench-") as data_dir:
        settings = {"SEARCH_ENCODER": "none", "SEARCH_EMBED_IN_BACKGROUND": False}
        app = create_app({"SECRET_KEY": "bench", "DATA_DIR": data_dir, **settings})
        with app.app_context():
            db.create_all()
            demo.seed_demo()
            started = time.perf_counter()
            search_bench.generate(options.docs, random.Random(options.seed), search_bench.Corpus())
            search.rebuild()
            print(f"built {options.docs} entries in {time.perf_counter() - started:.0f} s")
            db.engine.dispose()
        env = {
            **os.environ,
            "MARKETPLACE_DATA_DIR": data_dir,
            "MARKETPLACE_SECRET_KEY": "bench",
            "MARKETPLACE_SEARCH_ENCODER": "none",
        }
        flask = Path(sys.executable).with_name("flask")
        started = time.perf_counter()
        command = [str(flask), "--app", "marketplace", "export", "dump"]
        subprocess.run(command, env=env, check=True)  # noqa: S603 (our own command)
        dump_s = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        [path] = (Path(data_dir) / "dumps").iterdir()
        size = path.stat().st_size / 1_000_000

        client = app.test_client()
        started = time.perf_counter()
        response = client.get("/solutions.csv")
        body = response.get_data()
        csv_s = time.perf_counter() - started
        rows = len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))) - 1
        with app.app_context():
            db.engine.dispose()
    print(
        f"RESULT docs={options.docs} dump_mb={size:.1f} dump_s={dump_s:.1f} "
        f"dump_peak_rss_mb={peak:.0f} csv_rows={rows} csv_s={csv_s:.1f}"
    )


if __name__ == "__main__":
    main()
