"""Listing pages benchmark: CPU per request of the home, a city and a track page at N entries.

    .venv/bin/python bench/pages_bench.py --docs 10000
    .venv/bin/python bench/pages_bench.py --docs 10000 --code ../old-checkout   # another checkout

Generates the synthetic catalogue of search_bench.py (same generator, seeded) in a temporary data
dir, features one entry in a hundred, builds the search index, then requests /, the page of the
city with the most entries, the page of the track with the most entries and the page of its
busiest challenge through Flask's test client, each --requests times after two warm-up
requests, timing the CPU of each request (time.process_time) and its wall time. ``--code`` runs
another checkout's marketplace package (the code before a change) on the same generator.
The last line is machine-readable:
RESULT docs=N home_cpu_ms=X city_cpu_ms=X track_cpu_ms=X challenge_cpu_ms=X (medians) load=X
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(code: Path):
    """The marketplace package of ``code``, imported before search_bench can put ours first."""
    sys.path.insert(0, str(code))
    marketplace = importlib.import_module("marketplace")
    assert Path(marketplace.__file__).resolve().is_relative_to(code.resolve()), marketplace
    sys.path.insert(1, str(HERE))
    return marketplace, importlib.import_module("search_bench")


def _busiest(db, select, func, column, *joins):
    """The value of ``column`` with the most published entries."""
    from marketplace.models import Solution
    from marketplace.vocab import Status

    query = select(column, func.count()).select_from(Solution)
    for target, condition in joins:
        query = query.join(target, condition)
    query = query.where(Solution.status == Status.PUBLISHED).group_by(column)
    return max(db.session.execute(query).all(), key=lambda row: row[1])[0]


def _time(client, path: str, requests: int) -> tuple[list[float], list[float]]:
    for _ in range(2):
        assert client.get(path).status_code == 200, path
    cpu, wall = [], []
    for _ in range(requests):
        started_cpu, started = time.process_time(), time.perf_counter()
        response = client.get(path)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    return cpu, wall


def _profile(client, path: str) -> None:
    import cProfile
    import pstats

    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        client.get(path)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="synthetic entries to generate")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--code", type=Path, default=HERE.parent, help="checkout to run")
    parser.add_argument("--profile", metavar="PAGE", help="print where one page's CPU goes")
    options = parser.parse_args()
    marketplace, search_bench = _load(options.code)

    from sqlalchemy import func, select, update

    from marketplace import search
    from marketplace.extensions import db
    from marketplace.models import Challenge, City, Solution, Track
    from marketplace.models.solution import solution_challenge
    from marketplace.services import demo

    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory(prefix="pages-bench-") as data_dir:
        # No encoder: embedding in a background thread would bill its CPU to the requests.
        settings = {"SEARCH_ENCODER": "none", "SEARCH_EMBED_IN_BACKGROUND": False}
        app = marketplace.create_app({"SECRET_KEY": "bench", "DATA_DIR": data_dir, **settings})
        with app.app_context():
            db.create_all()
            demo.seed_demo()
            started = time.perf_counter()
            search_bench.generate(options.docs, rng, search_bench.Corpus())
            # Bulk, past the outbox: the index built next holds it.
            db.session.execute(update(Solution).where(Solution.id % 100 == 7).values(featured=True))
            db.session.commit()
            search.rebuild()
            print(f"built {options.docs} entries and their index in "
                  f"{time.perf_counter() - started:.0f} s")  # fmt: skip
            city = db.session.get(City, _busiest(db, select, func, Solution.city_id)).slug
            link = (solution_challenge, solution_challenge.c.solution_id == Solution.id)
            on_track = (Challenge, Challenge.id == solution_challenge.c.challenge_id)
            track = db.session.get(
                Track, _busiest(db, select, func, Challenge.track_id, link, on_track)
            )
            challenge_id = _busiest(db, select, func, solution_challenge.c.challenge_id, link)
            challenge = db.session.get(Challenge, challenge_id).slug
            pages = {
                "home": "/",
                "city": f"/cities/{city}",
                "track": f"/tracks/{track.slug}",
                "challenge": f"/challenges/{challenge}",
            }
            track = track.slug
        client = app.test_client()
        if options.profile:
            _profile(client, pages[options.profile])
        medians = {}
        for name, path in pages.items():
            cpu, wall = _time(client, path, options.requests)
            medians[name] = statistics.median(cpu)
            print(f"{name} {path}: CPU p50 {medians[name]:.1f} ms, max {max(cpu):.1f} ms; "
                  f"wall p50 {statistics.median(wall):.1f} ms")  # fmt: skip
        with app.app_context():
            db.engine.dispose()
    load = os.getloadavg()[0]
    print(f"code: {Path(marketplace.__file__).parent}; load average {load:.2f}")
    print(
        f"RESULT docs={options.docs} "
        + " ".join(f"{name}_cpu_ms={value:.1f}" for name, value in medians.items())
        + f" load={load:.2f}"
    )


if __name__ == "__main__":
    main()
