"""The search bench's native reference: the same catalogue and job on tantivy (Rust, tantivy-py).

The job is the one the /solutions page asks of our engine: BM25 with title and summary boosts,
OR between the words (quoted phrases and -exclusions as typed), the exact total, the top page,
the ten facets counted disjunctively (each with every active filter but its own, as one
aggregation each) and a highlighted snippet of the body for each shown hit.

What differs, on purpose or by tantivy's nature: one analyser for every language (simple
tokenizer, lower case, ASCII folding, English stop words and stemmer), where ours reads each
language version with its own stemmer and stop words; so totals are compared on the English
queries only. No spelling suggestion, no search by meaning, no database rows.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass

import tantivy
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.markup import plain_text
from marketplace.models import Solution
from marketplace.vocab import Status

ANALYSER = "folded_en"
TEXT = ("title", "summary", "body", "city_name", "provider")
BOOSTS = {"title": 3.0, "summary": 2.0}
# Characters of tantivy's query language that are not the syntax our search box reads (words,
# "phrases", -exclusions): read as separators, as ours does.
_SYNTAX = re.compile(r"[+:^~*?\\/()\[\]{}!<>=&|']")


@dataclass
class Outcome:
    total: int
    ids: list[int]
    counts: dict[str, dict[str, int]]
    snippets: list[str]


def facet_rows(solution: Solution) -> dict[str, list[str]]:
    """The facet values of one entry, by the search page's parameter names."""
    return {
        "track": sorted({t.slug for t in solution.tracks}),
        "challenge": [c.slug for c in solution.challenges],
        "service": [v.slug for v in solution.services],
        "country": [solution.city.country],
        "city": [solution.city.slug],
        "kind": [solution.kind],
        "maturity": [solution.maturity],
        "language": list(solution.languages),
        "sdg": [str(g.number) for g in solution.sdgs],
        "cost": [solution.cost_band],
    }


class Tantivy:
    """An index of the published catalogue in a temporary directory, and the search job on it."""

    def __init__(self, facets: list[str]) -> None:
        self.facets = facets
        self.folder = tempfile.TemporaryDirectory(prefix="bench-tantivy-")
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("id", stored=True, indexed=True, fast=True)
        for name in TEXT:
            builder.add_text_field(name, stored=True, tokenizer_name=ANALYSER)
        for name in facets:
            builder.add_text_field(name, tokenizer_name="raw", fast=True)
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, path=self.folder.name)
        self.index.register_tokenizer(
            ANALYSER,
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stopword("english"))
            .filter(tantivy.Filter.stemmer("english"))
            .build(),
        )
        self.build_s = 0.0

    def load(self) -> int:
        """Index every published entry (all its language versions in its text fields); returns
        how many, and keeps the seconds it took in ``build_s``."""
        started = time.perf_counter()
        writer = self.index.writer(heap_size=256_000_000)
        count = 0
        published = db.session.scalars(
            select(Solution).where(Solution.status == Status.PUBLISHED).order_by(Solution.id)
        )
        for solution in published:
            versions = [solution, *solution.translations]
            document = tantivy.Document(id=solution.id)
            document.add_text("title", " ".join(v.title for v in versions))
            document.add_text("summary", " ".join(v.summary for v in versions))
            document.add_text(
                "body",
                " ".join(
                    plain_text(getattr(v, name))
                    for v in versions
                    for name in ("description", "impact", "lessons")
                ),
            )
            document.add_text("city_name", solution.city.name)
            document.add_text("provider", solution.provider or "")
            for name, values in facet_rows(solution).items():
                for value in values:
                    document.add_text(name, value)
            writer.add_document(document)
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        self.build_s = time.perf_counter() - started
        return count

    def _text_query(self, text: str) -> tantivy.Query:
        cleaned = _SYNTAX.sub(" ", text).strip()
        if cleaned.count('"') % 2:
            cleaned = cleaned.replace('"', " ")
        if not re.search(r"\w", cleaned.replace("-", " ")) or not re.search(
            r'(^|[\s"])[^\s"-]', cleaned
        ):
            return tantivy.Query.all_query()
        query, _errors = self.index.parse_query_lenient(cleaned, list(TEXT), field_boosts=BOOSTS)
        return query

    def _filter(self, name: str, values: tuple[str, ...]) -> tantivy.Query:
        return tantivy.Query.term_set_query(self.schema, name, list(values))

    def run(self, text: str, filters: dict, per_page: int = 10, snippets: bool = True) -> Outcome:
        """The page's job for ``text`` with ``filters`` (facet -> selected values)."""
        searcher = self.searcher
        matched = self._text_query(text)

        def restricted(skip: str | None) -> tantivy.Query:
            clauses = [(tantivy.Occur.Must, matched)]
            clauses += [
                (tantivy.Occur.Must, self._filter(name, values))
                for name, values in filters.items()
                if name != skip
            ]
            return tantivy.Query.boolean_query(clauses) if len(clauses) > 1 else matched

        query = restricted(None)
        result = searcher.search(query, limit=per_page, count=True)
        ids, shown = [], []
        for _score, address in result.hits:
            document = searcher.doc(address)
            ids.append(document["id"][0])
            shown.append(document)
        counts = {}
        for name in self.facets:
            aggregated = searcher.aggregate(
                restricted(name), {"counts": {"terms": {"field": name, "size": 500}}}
            )
            counts[name] = {
                bucket["key"]: bucket["doc_count"] for bucket in aggregated["counts"]["buckets"]
            }
        marked = []
        if snippets and shown:
            generator = tantivy.SnippetGenerator.create(searcher, query, self.schema, "body")
            generator.set_max_num_chars(240)
            marked = [generator.snippet_from_doc(document).to_html() for document in shown]
        return Outcome(result.count, ids, counts, marked)

    def close(self) -> None:
        self.folder.cleanup()
