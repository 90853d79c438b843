"""CSV import benchmark: the dry run, the import and the re-import of N new entries.

    .venv/bin/python bench/import_bench.py --rows 1000

Seeds the demo catalogue (and its search index, which the duplicate check reads) in a
temporary data dir, writes N valid rows for the demo cities in the CSV export's columns, and
times imports.check (the dry run), imports.apply (one transaction per row) and a second check
of the same file (every row unchanged). The last line is machine-readable:
RESULT rows=N check_s=X apply_s=X recheck_s=X created=N unchanged=N
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

WORDS = [
    "solar",
    "heat",
    "pump",
    "school",
    "district",
    "mobility",
    "bike",
    "lane",
    "parking",
    "sensor",
    "open",
    "data",
    "portal",
    "citizen",
    "app",
    "waste",
    "sorting",
    "water",
    "leak",
    "energy",
    "retrofit",
    "tram",
    "bus",
    "night",
    "market",
]


def rows(count: int, rng: random.Random, cities: list[str], challenges: list[str]) -> list[dict]:
    made = []
    for n in range(count):
        title = " ".join(rng.sample(WORDS, 4)).capitalize() + f" {n}"
        made.append(
            {
                "title": title,
                "kind": rng.choice(["solution", "best_practice"]),
                "maturity": rng.choice(["idea", "pilot", "deployed", "scaled"]),
                "city": rng.choice(cities),
                "summary": f"{title} for a city of the benchmark.",
                "description": " ".join(rng.choices(WORDS, k=60)),
                "challenges": ";".join(rng.sample(challenges, 2)),
                "contact_email": f"bench{n}@example.org",
                "licence": "EUPL-1.2",
            }
        )
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1000, help="rows of the imported file")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    from sqlalchemy import select

    from marketplace import create_app, search
    from marketplace.extensions import db
    from marketplace.models import Challenge, City, User
    from marketplace.services import csvfile, demo, import_csv, imports
    from marketplace.vocab import Role

    with tempfile.TemporaryDirectory(prefix="import-bench-") as data_dir:
        settings = {"SEARCH_ENCODER": "none", "SEARCH_EMBED_IN_BACKGROUND": False}
        app = create_app({"SECRET_KEY": "bench", "DATA_DIR": data_dir, **settings})
        with app.app_context():
            db.create_all()
            demo.seed_demo()
            search.rebuild()
            cities = list(db.session.scalars(select(City.slug)))
            challenges = list(
                db.session.scalars(select(Challenge.slug).where(Challenge.retired.is_(False)))
            )
            curator = db.session.scalar(select(User).where(User.role == Role.CURATOR))
            made = rows(options.rows, random.Random(options.seed), cities, challenges)
            header = list(made[0])
            lines = csvfile.lines(header, ([row[k] for k in header] for row in made), bom=True)
            data = "".join(lines).encode("utf-8")

            started = time.perf_counter()
            plan = imports.check(import_csv.read, "bench.csv", data, curator)
            check_s = time.perf_counter() - started
            started = time.perf_counter()
            summary = imports.apply(plan, curator)
            apply_s = time.perf_counter() - started
            started = time.perf_counter()
            again = imports.check(import_csv.read, "bench.csv", data, curator)
            recheck_s = time.perf_counter() - started
            print(summary.line())
            db.engine.dispose()
    print(
        f"RESULT rows={options.rows} check_s={check_s:.1f} apply_s={apply_s:.1f} "
        f"recheck_s={recheck_s:.1f} created={summary.counts['create']} "
        f"unchanged={again.counts['unchanged']}"
    )


if __name__ == "__main__":
    main()
