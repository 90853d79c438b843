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

import csv
import io
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from synthetic_app import options, synthetic_app


def main() -> None:
    args = options(__doc__)
    with synthetic_app("export-bench-", args.docs, args.seed, index=True) as (app, data_dir):
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
    print(
        f"RESULT docs={args.docs} dump_mb={size:.1f} dump_s={dump_s:.1f} "
        f"dump_peak_rss_mb={peak:.0f} csv_rows={rows} csv_s={csv_s:.1f}"
    )


if __name__ == "__main__":
    main()
