"""Load benchmark: gunicorn with the production config under readers, a publisher and a curator.

    .venv/bin/pip install -e '.[bench,postgres]'
    .venv/bin/python bench/load.py --docs 10000 --users 20 --seconds 60 \
        --database postgresql+psycopg://root@127.0.0.1:5432/test

Builds a synthetic catalogue of --docs published entries (bench/search_bench.py's generator, on
the demo taxonomy, cities and accounts) in a scratch data dir and database (sqlite, or a new
database on the server of a PostgreSQL URL, dropped afterwards), gives every entry a vector near
a real one (as search_bench does: embedding 10,000 entries for real takes half an hour), and
serves it with gunicorn and gunicorn.conf.py. With --nodes 2 a second node (its own data dir and
index, the same database) serves too, as in the scale-out path.
Then locust, headless, for --seconds: --users readers (search with 0-3 facets, entry pages, the
home page, the API) on the first node, while one publisher submits entries and one curator
approves each and polls search on both nodes until it shows: "publish visible (same node)" and
"(other node)" are the times from the approval's answer to the first search that finds it.
Reported: requests/s and p50/p95/p99 per route, errors (any answer that is not 2xx/3xx) and the
load average. The last line is machine-readable:
RESULT docs=N users=N seconds=N database=X rps=X errors=N search_p50_ms=X search_p95_ms=X
  search_p99_ms=X visible_same_max_ms=X visible_other_max_ms=X load=X
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scratch import GUNICORN, ROOT, Node, database, load_average
from search_bench import Corpus, facet_values, generate

from marketplace import create_app, search
from marketplace.extensions import db
from marketplace.search import live, meaning, vectors
from marketplace.services import demo

SEARCH = "/solutions?q"
ACCOUNTS = {a["role"]: a for a in demo.DEMO_ACCOUNTS}


def near_real_vectors(corpus: Corpus, rng: random.Random) -> None:
    """Each indexed entry gets a vector near one of 60 real texts' (the store search reads)."""
    model = meaning.encoder()
    if model is None:
        return
    basis = model.passages([corpus.paragraph(rng, 3) for _ in range(60)])
    hashes = np.unique(vectors.document_hashes(live.generation().searcher))
    hashes = hashes[hashes != 0]
    picked = basis[np.random.default_rng(2).integers(0, len(basis), len(hashes))]
    picked = picked + np.random.default_rng(1).normal(0, 0.02, picked.shape)
    picked /= np.linalg.norm(picked, axis=1, keepdims=True)
    vectors.write_store(vectors.store_path(model), hashes, picked.astype(np.float32))


def build(data_dirs: list[Path], url: str, docs: int, seed: int) -> dict:
    """The catalogue in the database, an index (with vectors) in each data dir; the locust plan."""
    rng = random.Random(seed)
    corpus = Corpus()
    plan: dict = {"docs": docs}
    for position, data_dir in enumerate(data_dirs):
        app = create_app({"SECRET_KEY": "bench", "DATA_DIR": str(data_dir), "DATABASE_URL": url})
        with app.app_context():
            if position == 0:
                db.create_all()
                demo.seed_demo()
                generate(docs, rng, corpus)
                values = facet_values()
                facets = ("track", "country", "kind", "maturity", "sdg", "cost")
                plan["facets"] = {name: values[name] for name in facets}
                plan["challenge"] = values["challenge"][0]
                plan["words"] = rng.sample(corpus.query_words, 400)
            search.rebuild()
            near_real_vectors(corpus, rng)
            db.engine.dispose()
    for role in ("publisher", "curator"):
        plan[role], plan[f"{role}_password"] = ACCOUNTS[role]["email"], ACCOUNTS[role]["password"]
    return plan


def warm_up(base: str, plan: dict) -> None:
    """A few requests of each kind before the timed run, so every worker has loaded the
    encoder and opened its searcher (what a node does once after it starts)."""
    words = plan["words"]
    for n in range(12):
        for path in ("/", f"/solutions?q={words[n]}", f"/api/v1/solutions?q={words[n + 1]}",
                     f"/solutions/bench-{n}"):  # fmt: skip
            with urllib.request.urlopen(base + path, timeout=60):  # noqa: S310 (our node)
                pass


def read_stats(path: Path) -> list[dict]:
    """The figures load_users.py wrote as locust quit, sorted by route."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return sorted(rows, key=lambda row: (row["Name"] == "Aggregated", row["Name"], row["Type"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10000, help="synthetic published entries")
    parser.add_argument("--users", type=int, default=20, help="concurrent readers")
    parser.add_argument("--seconds", type=int, default=60, help="how long the load lasts")
    parser.add_argument("--database", default="sqlite", help="sqlite or a PostgreSQL URL")
    parser.add_argument("--nodes", type=int, choices=(1, 2), default=2, help="web nodes")
    parser.add_argument("--workers", type=int, default=None, help="per node (default: config)")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    if not GUNICORN.exists():
        sys.exit("gunicorn is not installed in this environment")

    with (
        tempfile.TemporaryDirectory(prefix="load-bench-") as work,
        database(options.database) as url,
    ):
        work = Path(work)
        dirs = [work / f"node{n}" for n in range(options.nodes)]
        kind = "postgresql" if url else "sqlite"
        url = url or f"sqlite:///{dirs[0] / 'marketplace.db'}"  # the nodes share the file
        plan = build(dirs, url, options.docs, options.seed)
        (work / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
        print(f"catalogue: {options.docs} entries on {kind}")
        nodes = [Node(dirs[0], url, options.workers, work / "node0.log")]
        if options.nodes == 2:
            nodes.append(Node(dirs[1], url, 1, work / "node1.log"))
        try:
            for node in nodes:
                warm_up(node.url, plan)
            total = options.users + 2
            env = {
                **os.environ,
                "LOAD_PLAN": str(work / "plan.json"),
                "LOAD_STATS": str(work / "stats.json"),
                "LOAD_OTHER_NODE": nodes[1].url if len(nodes) == 2 else "",
            }
            subprocess.run(  # noqa: S603 (our own locust)
                [str(GUNICORN.with_name("locust")), "-f", str(ROOT / "bench/load_users.py"),
                 "--headless", "--only-summary", "-u", str(total), "-r", str(total),
                 "-t", f"{options.seconds}s", "--stop-timeout", "10", "--host", nodes[0].url,
                 "--loglevel", "WARNING"],
                env=env, check=False, cwd=ROOT,
            )  # fmt: skip
            load = load_average()
        finally:
            for node in nodes:
                node.stop()
        rows = read_stats(work / "stats.json")

    width = max(len(r["Type"]) + len(r["Name"]) + 1 for r in rows)
    print(f"{'route':<{width}} {'requests':>8} {'errors':>6} {'req/s':>7} "
          f"{'p50':>6} {'p95':>6} {'p99':>6}  (ms)")  # fmt: skip
    for row in rows:
        route = f"{row['Type']} {row['Name']}".strip()
        print(f"{route:<{width}} {row['Request Count']:>8} {row['Failure Count']:>6} "
              f"{float(row['Requests/s']):>7.1f} {row['50%']:>6} {row['95%']:>6} "
              f"{row['99%']:>6}")  # fmt: skip
    named = {row["Name"]: row for row in rows}
    overall = named["Aggregated"]
    searches = named.get(SEARCH, {})
    http = [r for r in rows if r["Type"] not in ("VISIBLE", "")]
    errors = sum(int(r["Failure Count"]) for r in rows if r["Name"] != "Aggregated")
    rps = sum(float(r["Requests/s"]) for r in http)

    def figure(row: dict, key: str) -> str:
        value = row.get(key)
        return "NA" if value is None else f"{float(value):.0f}"

    same = named.get("publish visible (same node)", {})
    other = named.get("publish visible (other node)", {})
    print(f"load average at the end: {load}")
    print(
        f"RESULT docs={options.docs} users={options.users} seconds={options.seconds} "
        f"database={kind} rps={rps:.1f} errors={errors} "
        f"search_p50_ms={figure(searches, '50%')} search_p95_ms={figure(searches, '95%')} "
        f"search_p99_ms={figure(searches, '99%')} "
        f"visible_same_max_ms={figure(same, 'Max Response Time')} "
        f"visible_other_max_ms={figure(other, 'Max Response Time')} "
        f"requests={overall['Request Count']} load={load.replace(' ', '/')}"
    )


if __name__ == "__main__":
    main()
