"""Search relevance on the Cranfield collection, next to a plain BM25 baseline (rank-bm25).

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/relevance.py

Loads the 1,400 Cranfield abstracts (title -> title, abstract -> description; each `.W` field
starts with a copy of the title, which is left out of the description) into a temporary
data dir through the project's own models and index rebuild, runs all 225 queries through the search
function the catalogue page uses (top 100), and prints MAP and nDCG@10 beside rank-bm25's BM25Okapi
over the same stemmed text, computed in the same run: for the product's ranking (with meaning: the
abstracts are embedded by the sentence encoder first, about four minutes the first time, kept in
--vectors for later runs) and for the lexical ranking alone. The last line is machine-readable:
RESULT map=X ndcg10=X bm25_map=X bm25_ndcg10=X lexical_map=X lexical_ndcg10=X
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rank_bm25 import BM25Okapi  # noqa: E402

from marketplace import create_app, search  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.models import Challenge, City, Solution, Track  # noqa: E402
from marketplace.search import SearchRequest  # noqa: E402
from marketplace.search.query import analyse  # noqa: E402
from marketplace.vocab import Status  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "cranfield"
DEFAULT_VECTORS = Path.home() / ".cache" / "tech4good-bench" / "cranfield-vectors"
TOP = 100


def _records(path: Path) -> list[dict[str, str]]:
    """Records of a Cranfield file: `.I id` then `.X` fields whose text runs to the next marker."""
    records: list[dict[str, str]] = []
    field = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        marker = re.match(r"^\.([A-Z])\s*(.*)$", line)
        if marker and marker.group(1) == "I":
            records.append({"id": marker.group(2).strip()})
            field = None
        elif marker:
            field = marker.group(1)
            records[-1][field] = marker.group(2)
        elif field:
            records[-1][field] = (records[-1][field] + " " + line).strip()
    return records


def _abstract(title: str, text: str) -> str:
    """The abstract proper: each `.W` field repeats the title first, which is not abstract."""
    title, text = " ".join(title.split()), " ".join(text.split())
    return text[len(title) :].strip() if title and text.startswith(title) else text


def load(data: Path):
    documents = [
        (int(r["id"]), r.get("T", ""), _abstract(r.get("T", ""), r.get("W", "")))
        for r in _records(data / "cran.all.1400")
    ]
    queries = [r.get("W", "") for r in _records(data / "cran.qry")]
    judgements: dict[int, dict[int, int]] = defaultdict(dict)
    for line in (data / "cranqrel").read_text().split("\n"):
        parts = line.split()
        if len(parts) == 3 and int(parts[2]) in (1, 2, 3, 4):
            judgements[int(parts[0])][int(parts[1])] = int(parts[2])
    return documents, queries, judgements


def average_precision(ranking: list[int], relevant: dict[int, int]) -> float:
    hits, total = 0, 0.0
    for rank, doc in enumerate(ranking, start=1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def ndcg10(ranking: list[int], relevant: dict[int, int]) -> float:
    gains = [5 - relevant[doc] if doc in relevant else 0 for doc in ranking[:10]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((5 - g for g in relevant.values()), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def index_documents(documents) -> dict[int, int]:
    """Store the abstracts as published entries and build the index; entry id -> Cranfield id."""
    # Named so that no query names them: a concept covering every document would only repeat the
    # ranking by meaning (concepts.py).
    track = Track(slug="cranfield", name="Cranfield collection", edition="test")
    challenge = Challenge(slug="cranfield", name="Cranfield collection", track=track)
    city = City(slug="cranfield", name="Cranfield", country="GB", role="observer")
    when = datetime(2020, 1, 1, tzinfo=UTC)
    entries = {}
    for number, title, abstract in documents:
        solution = Solution(
            slug=f"cran-{number}",
            kind="solution",
            title=title[:200] or f"Document {number}",
            description=abstract,
            city=city,
            challenges=[challenge],
            status=Status.PUBLISHED,
            published_at=when,
        )
        db.session.add(solution)
        entries[solution] = number
    db.session.commit()
    search.rebuild()
    return {solution.id: number for solution, number in entries.items()}


def _rankings(queries, to_cranfield) -> list[list[int]]:
    rankings = []
    for text in queries:
        outcome = search.run(SearchRequest(text=text, per_page=TOP))
        rankings.append([to_cranfield[hit.id] for hit in outcome.hits])
    return rankings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the Cranfield folder")
    parser.add_argument(
        "--vectors", type=Path, default=DEFAULT_VECTORS, help="where the vectors are kept"
    )
    options = parser.parse_args()
    documents, queries, judgements = load(options.data)

    with tempfile.TemporaryDirectory(prefix="relevance-") as data_dir:
        options.vectors.mkdir(parents=True, exist_ok=True)
        (Path(data_dir) / "search").mkdir()
        (Path(data_dir) / "search" / "vectors").symlink_to(options.vectors.resolve())
        app = create_app({"SECRET_KEY": "bench", "DATA_DIR": data_dir})
        with app.app_context():
            db.create_all()
            to_cranfield = index_documents(documents)
            app.config["SEARCH_ENCODER_THREADS"] = os.cpu_count() or 1
            report = search.embed_missing()
            if report is None:
                sys.exit("no sentence encoder (SEARCH_ENCODER): nothing to compare")
            print(f"embedded {report.embedded} abstracts in {report.seconds:.0f} s")
            ours = _rankings(queries, to_cranfield)
            app.config["SEARCH_ENCODER"] = "none"
            lexical = _rankings(queries, to_cranfield)
            db.engine.dispose()

    ids = [number for number, _, _ in documents]
    bm25 = BM25Okapi([analyse(f"{title} {abstract}") or ["_"] for _, title, abstract in documents])
    baseline = []
    for text in queries:
        scores = bm25.get_scores(analyse(text))
        order = sorted(range(len(ids)), key=lambda i: (-scores[i], i))[:TOP]
        baseline.append([ids[i] for i in order])

    judged = [n for n in range(1, len(queries) + 1) if judgements.get(n)]
    figures = {}
    for name, rankings in (("ours", ours), ("bm25", baseline), ("lexical", lexical)):
        figures[name] = (
            sum(average_precision(rankings[n - 1], judgements[n]) for n in judged) / len(judged),
            sum(ndcg10(rankings[n - 1], judgements[n]) for n in judged) / len(judged),
        )
    (ours_map, ours_ndcg), (base_map, base_ndcg) = figures["ours"], figures["bm25"]
    lexical_map, lexical_ndcg = figures["lexical"]
    print(f"{len(documents)} documents, {len(judged)} judged queries, top {TOP}")
    print(f"marketplace search: MAP {ours_map:.4f}  nDCG@10 {ours_ndcg:.4f}")
    print(f"lexical stage only: MAP {lexical_map:.4f}  nDCG@10 {lexical_ndcg:.4f}")
    print(f"rank-bm25 baseline: MAP {base_map:.4f}  nDCG@10 {base_ndcg:.4f}")
    print(f"ratio: MAP {ours_map / base_map:.3f}x  nDCG@10 {ours_ndcg / base_ndcg:.3f}x")
    print(
        f"RESULT map={ours_map:.4f} ndcg10={ours_ndcg:.4f} "
        f"bm25_map={base_map:.4f} bm25_ndcg10={base_ndcg:.4f} "
        f"lexical_map={lexical_map:.4f} lexical_ndcg10={lexical_ndcg:.4f}"
    )


if __name__ == "__main__":
    main()
