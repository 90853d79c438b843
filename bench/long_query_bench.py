"""Long queries against plain ones: what a 60-word question costs next to a three-word search.

    .venv/bin/python bench/long_query_bench.py --docs 5000 --data-dir /tmp/long-query-bench

Builds the synthetic catalogue of search_bench.py once in ``--data-dir`` (reused by later runs, so
code before and after a change is timed on the same index), then times distinct plain and long
queries (words drawn from the entries, one in ten misspelled, so spelling has work to do) through
the service the /solutions page calls. The last line is machine-readable:
RESULT docs=N plain_p50_ms=X plain_p95_ms=X long_p50_ms=X long_p95_ms=X ratio_p50=X
cpu_plain_p50_ms=X cpu_long_p50_ms=X
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search_bench import Corpus, generate, percentile

from marketplace import create_app, search
from marketplace.extensions import db
from marketplace.search import SearchRequest
from marketplace.services import demo
from marketplace.services.catalogue_search import search_catalogue


def misspell(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word) - 1)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def question(n: int, rng: random.Random, corpus: Corpus) -> str:
    words = [rng.choice(corpus.query_words) for _ in range(n)]
    return " ".join(misspell(w, rng) if rng.random() < 0.1 else w for w in words)


def timed(requests: list[SearchRequest]) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each request (CPU time moves less with others' load)."""
    wall, cpu = [], []
    for request in requests:
        started, started_cpu = time.perf_counter(), time.process_time()
        search_catalogue(request)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=5000, help="synthetic entries to generate")
    parser.add_argument("--queries", type=int, default=200, help="queries of each kind")
    parser.add_argument("--words", type=int, default=60, help="words in a long query")
    parser.add_argument("--data-dir", required=True, help="kept between runs")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    data_dir = Path(options.data_dir)
    fresh = not (data_dir / "marketplace.db").exists()
    data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app({"SECRET_KEY": "bench", "DATA_DIR": str(data_dir)})
    with app.app_context():
        corpus = Corpus()
        if fresh:
            db.create_all()
            demo.seed_demo()
            generate(options.docs, rng, corpus)
            print(f"indexed {search.rebuild()} entries into {data_dir}")
        rng = random.Random(options.seed + 1)  # the same queries whether or not data was made
        plain = [SearchRequest(text=question(3, rng, corpus)) for _ in range(options.queries)]
        long = [SearchRequest(text=question(options.words, rng, corpus))
                for _ in range(options.queries)]  # fmt: skip
        search_catalogue(plain[0])  # open the searcher and its facet bitsets once
        timed(plain[:20] + long[:20])  # warm the postings of common words, as traffic would
        (plain_ms, plain_cpu), (long_ms, long_cpu) = timed(plain[20:]), timed(long[20:])
        db.engine.dispose()
    p50, p95 = percentile(plain_ms, 50), percentile(plain_ms, 95)
    l50, l95 = percentile(long_ms, 50), percentile(long_ms, 95)
    print(f"plain (3 words): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"long ({options.words} words): p50 {l50:.1f} ms, p95 {l95:.1f} ms")
    c50, cl50 = percentile(plain_cpu, 50), percentile(long_cpu, 50)
    print(f"CPU time p50: plain {c50:.1f} ms, long {cl50:.1f} ms")
    print(
        f"RESULT docs={options.docs} plain_p50_ms={p50:.1f} plain_p95_ms={p95:.1f} "
        f"long_p50_ms={l50:.1f} long_p95_ms={l95:.1f} ratio_p50={l50 / p50:.1f} "
        f"cpu_plain_p50_ms={c50:.1f} cpu_long_p50_ms={cl50:.1f}"
    )


if __name__ == "__main__":
    main()
