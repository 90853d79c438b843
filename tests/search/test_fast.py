"""The vectorised hot path: Whoosh's match sets, totals and facet counts, BM25F proper's order.

Match sets, totals and facet counts equal Whoosh's public search API. Scores are BM25F proper
(field frequencies combined before one saturation), which Whoosh does not compute: the order is
checked against a plain reference implementation over the entries' own texts.
"""

import math
import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select
from whoosh.util.numeric import byte_to_length, length_to_byte

from marketplace import search
from marketplace.database import unit_of_work
from marketplace.extensions import db
from marketplace.models import City, Solution
from marketplace.search import SearchRequest, engine, live
from marketplace.search.documents import document
from marketplace.search.fast import K1, B
from marketplace.search.languages import count
from marketplace.search.schema import TEXT_FIELDS, VERSIONED_FIELDS, build_schema
from marketplace.services import moderation
from marketplace.vocab import Status

WORDS = [
    *[
        "traffic",
        "congestion",
        "old",
        "town",
        "retrain",
        "workers",
        "green",
        "jobs",
        "open",
        "data",
        "portal",
        "energy",
    ],
    *[
        "retrofit",
        "schools",
        "tourism",
        "visitors",
        "freight",
        "delivery",
        "bikes",
        "budget",
        "citizens",
    ],
    *[
        "consultation",
        "skills",
        "vocational",
        "digital",
        "divide",
        "procurement",
        "finance",
        "bond",
        "heat",
    ],
    *[
        "waste",
        "platform",
        "dashboard",
        "sensors",
        "participatory",
        "young",
        "people",
        "chatbot",
        "air",
    ],
    *["quality", "noise", "parking", "port", "logistics"],
]
FILTERS = {
    "kind": ["solution", "best_practice"],
    "maturity": ["pilot", "deployed", "scaled"],
    "country": ["PT", "ES", "IT", "FI", "GR"],
    "track": ["tourism", "green-economy", "upskilling"],
}


@pytest.fixture
def demo_index(demo_app):
    demo_app.config["SEARCH_CONCEPTS"] = False  # the lexical stage alone is under test here
    with demo_app.app_context():
        yield live.generation()


def _requests(seed: int, n: int, facets=FILTERS):
    rng = random.Random(seed)  # noqa: S311 (test data)
    for i in range(n):
        words = " ".join(rng.sample(WORDS, rng.randint(1, 6)))
        if i % 5 == 0:
            words += f" -{rng.choice(WORDS)}"
        names = rng.sample(sorted(facets), rng.randint(0, 2))
        filters = {name: tuple(rng.sample(facets[name], 1 + i % 2)) for name in names}
        sort = ["relevance", "relevance", "newest", "title"][i % 4]
        yield SearchRequest(text=words, filters=filters, sort=sort, per_page=10)


def whoosh_run(monkeypatch, request):
    """The same search with every query sent through Whoosh's own matchers."""
    with monkeypatch.context() as patch:
        patch.setattr(engine, "_match", engine._whoosh_match)
        return engine.run(request)


def assert_same_as_whoosh(monkeypatch, requests) -> int:
    """Run each request both ways; totals, facet counts and each page's matches must agree."""
    compared = 0
    for request in requests:
        fast = engine.run(request)
        slow = whoosh_run(monkeypatch, request)
        assert fast.total == slow.total, request
        assert fast.counts == slow.counts, request
        everything = whoosh_run(monkeypatch, replace(request, page=1, per_page=100_000))
        matched = {hit.id for hit in everything.hits}
        assert {hit.id for hit in fast.hits} <= matched, request
        assert len(matched) == fast.total, request
        if request.sort == "relevance":
            scores = [hit.score for hit in fast.hits]
            assert scores == sorted(scores, reverse=True), request
        elif request.sort == "title":
            assert [h.id for h in fast.hits] == [h.id for h in slow.hits], request
        else:  # newest: the same dates in the same order; ties may come in any order
            dates = {h.id: db.session.get(Solution, h.id).published_at for h in slow.hits}
            dates |= {h.id: db.session.get(Solution, h.id).published_at for h in fast.hits}
            assert [dates[h.id] for h in fast.hits] == [dates[h.id] for h in slow.hits], request
            by_date = {}
            for hit in slow.hits:
                by_date.setdefault(dates[hit.id], set()).add(hit.id)
            for hit in fast.hits:
                assert hit.id in by_date[dates[hit.id]], request
        compared += 1
    return compared


class Reference:
    """BM25F proper, straight from its definition, over every published entry's texts.

    Per term: tf~ = sum over fields of boost * tf / (1 - B + B * length / average length), one
    saturation tf~ (K1 + 1) / (K1 + tf~), one idf over the entries holding it in any field.
    Field lengths are quantised to a byte as the index stores them, then divided by the number
    of language versions the field holds (the average scaled alike); a typed word read several
    ways (a tuple of terms) is one term.
    """

    def __init__(self) -> None:
        schema = build_schema()
        self.boosts = {f: schema[f].format.field_boost for f in TEXT_FIELDS}
        entries = db.session.scalars(select(Solution).where(Solution.status == Status.PUBLISHED))
        texts = {entry.id: document(entry) for entry in entries}
        self.counts = {i: {f: Counter(t.text for t in schema[f].analyzer(fields[f] or ""))
                           for f in TEXT_FIELDS}
                       for i, fields in texts.items()}  # fmt: skip
        exact = {i: {f: sum(c[f].values()) for f in TEXT_FIELDS} for i, c in self.counts.items()}
        # Lengths per version: a field holding three versions counts a third of its length.
        versions = {i: {f: max(count(fields[f] or ""), 1) if f in VERSIONED_FIELDS else 1
                        for f in TEXT_FIELDS} for i, fields in texts.items()}  # fmt: skip
        stored = {i: {f: byte_to_length(length_to_byte(n)) for f, n in fields.items()}
                  for i, fields in exact.items()}  # fmt: skip
        self.lengths = {i: {f: n / versions[i][f] for f, n in fields.items()}
                        for i, fields in stored.items()}  # fmt: skip
        self.average = {}
        for f in TEXT_FIELDS:
            whoosh_average = sum(lengths[f] for lengths in exact.values()) / len(exact) or 1
            total = sum(lengths[f] for lengths in stored.values())
            per_version = sum(lengths[f] for lengths in self.lengths.values())
            self.average[f] = whoosh_average * (per_version / total) if total else whoosh_average

    def scores(self, weights: dict[str, float]) -> dict[int, float]:
        scores = dict.fromkeys(self.counts, 0.0)
        for term, weight in weights.items():
            combined = {}
            alternatives = (term,) if isinstance(term, str) else term  # one typed word
            for i, fields in self.counts.items():
                tf = 0.0
                for f in TEXT_FIELDS:
                    for one in alternatives:
                        if fields[f][one]:
                            norm = (1 - B) + B * self.lengths[i][f] / self.average[f]
                            tf += self.boosts[f] * fields[f][one] / norm
                if tf:
                    combined[i] = tf
            n = len(combined)
            idf = math.log(1 + (len(self.counts) - n + 0.5) / (n + 0.5))
            for i, tf in combined.items():
                scores[i] += weight * idf * tf * (K1 + 1) / (K1 + tf)
        return scores


def test_totals_counts_and_matches_equal_whoosh(demo_index, monkeypatch):
    # The reference is Whoosh finding every match (limit=None): its top-N collection with a
    # limit misses documents on wide OR queries, which the vectorised path does not.
    assert assert_same_as_whoosh(monkeypatch, _requests(seed=11, n=120)) == 120


def _ranked_texts(seed: int, n: int):
    rng = random.Random(seed)  # noqa: S311 (test data)
    for i in range(n):
        words = rng.sample(WORDS, rng.randint(1, 6))
        words += rng.sample(
            words, min(i % 3, len(words))
        )  # repeated words weigh more (query-term frequency)
        text = " ".join(words)
        if i % 4 == 0:
            text += f' "{rng.choice(["heat pumps", "open data", "old town", "green jobs"])}"'
        yield text


def test_the_top_ten_is_bm25f_proper_computed_from_the_entries_texts(demo_index):
    bm25f = Reference()
    for text in _ranked_texts(seed=21, n=60):
        request = SearchRequest(text=text, per_page=10)
        outcome = engine.run(request)
        # Read as the engine reads it: in the languages detected among the catalogue's.
        parsed = request.parsed(live.generation().languages)
        reference = bm25f.scores(parsed.ranked or parsed.words)
        allowed = {hit.id for hit in engine.run(SearchRequest(text=text, per_page=1000)).hits}
        expected = sorted((reference[i] for i in allowed), reverse=True)[:10]
        found = [hit.score for hit in outcome.hits]
        assert found == pytest.approx(expected, rel=1e-9), text
        for hit in outcome.hits:  # each hit has its own reference score, ties in any order
            assert hit.score == pytest.approx(reference[hit.id], rel=1e-9), text


def test_one_word_in_many_fields_saturates_once(make_solution):
    everywhere = make_solution(
        title="Heat network", summary="Waste heat.", description="Heat from heat.",
        impact="Heat.", lessons="Heat.",
    )  # fmt: skip
    focused = make_solution(
        title="Heating public buildings with less energy",
        summary="Public buildings use less heat after insulation.",
        description="Public buildings retrofitted.",
    )
    for n in range(6):
        make_solution(title=f"Bike lanes {n}", summary="Protected lanes.")
    search.rebuild()
    found = engine.run(SearchRequest(text="public buildings use less heating"))
    assert [hit.id for hit in found.hits[:2]] == [focused.id, everywhere.id]


def test_an_index_with_deleted_documents_still_equals_whoosh(demo_index, demo_app, monkeypatch):
    # Editing or archiving a published entry deletes its old document: Whoosh then wraps the
    # segment's postings in a filter, which the vectorised path must read through.
    published = db.session.scalars(
        select(Solution).where(Solution.status == Status.PUBLISHED).order_by(Solution.id)
    ).all()
    edited, archived = published[0], published[10]  # document 0 opens many postings lists
    with demo_app.test_request_context("/", method="POST"), unit_of_work():
        edited.title = "Seawater district cooling for the harbour"
    with demo_app.test_request_context("/", method="POST"), unit_of_work():
        moderation.apply_transition(archived, Status.ARCHIVED, None)
    generation = live.generation()
    assert generation.searcher.reader().has_deletions()  # the case under test
    assert not search.check()

    found = engine.run(SearchRequest(text=archived.title, per_page=100))
    assert found.total
    assert archived.id not in {hit.id for hit in found.hits}
    assert [hit.id for hit in engine.run(SearchRequest(text="seawater")).hits] == [edited.id]
    assert assert_same_as_whoosh(monkeypatch, _requests(seed=12, n=60)) == 60


def test_newest_first_agrees_with_publication_dates(demo_index):
    outcome = engine.run(SearchRequest(sort="newest", per_page=100))  # the whole catalogue
    dates = [db.session.get(Solution, hit.id).published_at for hit in outcome.hits]
    assert dates == sorted(dates, reverse=True)
    assert outcome.total == len(dates)


BLOCK = 128  # postings per block in whoosh-reloaded 2.7.5's segments
COUNTRIES = ["PT", "ES", "IT", "FI", "GR"]
CORPUS_FILTERS = {
    "kind": ["solution", "best_practice"],
    "maturity": ["pilot", "deployed", "scaled"],
    "country": COUNTRIES,
    "track": ["green", "mobility"],
}


def _entries(rng, cities, challenges, first: int, count: int) -> list[Solution]:
    """Entries whose common words ("data", "energy", ...) reach hundreds of postings."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    common = ["data", "energy", "green", "open", "citizens"]
    made = []
    for n in range(first, first + count):
        body = rng.sample(WORDS, 12) + [word for word in common if rng.random() < 0.85]
        made.append(
            Solution(
                slug=f"entry-{n}",
                kind=rng.choice(CORPUS_FILTERS["kind"]),
                title=f"{' '.join(rng.sample(WORDS, 3))} {n}",
                summary=" ".join(rng.sample(WORDS, 6)),
                description=" ".join(body),
                maturity=rng.choice(CORPUS_FILTERS["maturity"]),
                city=rng.choice(cities),
                challenges=rng.sample(challenges, rng.randint(1, 2)),
                status=Status.PUBLISHED,
                # Some entries share a day, so "newest" has ties to order.
                published_at=start + timedelta(days=n // 3 if n % 7 == 0 else n),
            )
        )
    return made


@pytest.fixture
def segmented_index(ctx, taxonomy):
    """Several segments with long postings lists and deleted documents, as months of edits leave."""
    rng = random.Random(5)  # noqa: S311 (test data)
    cities = [
        City(slug=f"city-{code.lower()}", name=f"City {code}", country=code, role="core")
        for code in COUNTRIES
    ]
    challenges = list(taxonomy["challenges"].values())
    first = _entries(rng, cities, challenges, 0, 320)
    db.session.add_all([*cities, *first])
    db.session.commit()
    search.rebuild()  # segment 1
    db.session.add_all(_entries(rng, cities, challenges, 320, 160))
    for entry in first[:40]:  # edited: the old documents are deleted from segment 1
        entry.summary = " ".join(rng.sample(WORDS, 6))
    for entry in first[40:55]:
        entry.status = Status.ARCHIVED
    db.session.commit()
    assert search.drain()  # segment 2
    db.session.add_all(_entries(rng, cities, challenges, 480, 30))
    for entry in first[100:105]:
        entry.title = f"{entry.title} renamed"
    db.session.commit()
    assert search.drain()  # segment 3
    return live.generation()


def test_several_segments_long_postings_and_deletions_equal_whoosh(segmented_index, monkeypatch):
    reader = segmented_index.searcher.reader()
    # The cases under test: several segments, deleted documents, terms spanning several blocks.
    assert search.index_stats().segments >= 3
    assert reader.has_deletions()
    assert segmented_index.searcher.doc_count() == 320 - 15 + 160 + 30
    longest = max(
        leaf.doc_frequency("description", term)
        for leaf, _offset in reader.leaf_readers()
        for term in leaf.lexicon("description")
    )
    assert longest > 2 * BLOCK
    assert not search.check()
    requests = list(_requests(seed=13, n=40, facets=CORPUS_FILTERS))
    assert {request.sort for request in requests} == {"relevance", "newest", "title"}
    assert assert_same_as_whoosh(monkeypatch, requests) == 40
    every = [SearchRequest(text=word, sort="newest", per_page=50) for word in ("data", "energy")]
    assert assert_same_as_whoosh(monkeypatch, every) == 2


# Words of five languages, so that queries are detected in several and words read differently.
MULTILINGUAL = {
    "en": ["energy", "schools", "buses", "bills", "rose", "solar", "panels", "traffic", "data"],
    "es": ["energía", "escuelas", "autobuses", "facturas", "aumentaron", "paneles", "tráfico",
           "datos", "abiertos"],
    "it": ["energia", "scuole", "autobus", "bollette", "aumentate", "pannelli", "traffico",
           "dati", "aperti"],
    "de": ["Energie", "Schulen", "Busse", "Rechnungen", "gestiegen", "Solaranlagen", "Verkehr",
           "Daten", "offene"],
    "pt": ["energia", "escolas", "autocarros", "faturas", "aumentaram", "painéis", "trânsito",
           "dados", "abertos", "gestão"],
}  # fmt: skip


def _text(rng, language: str, n: int) -> str:
    return " ".join(rng.choice(MULTILINGUAL[language]) for _ in range(n))


@pytest.fixture
def multilingual_index(ctx, taxonomy):
    """Entries written in five languages, most with versions in one or two others."""
    from marketplace.models import SolutionTranslation

    rng = random.Random(8)  # noqa: S311 (test data)
    cities = [
        City(slug=f"city-{code.lower()}", name=f"City {code}", country=code, role="core")
        for code in COUNTRIES
    ]
    challenges = list(taxonomy["challenges"].values())
    start = datetime(2024, 1, 1, tzinfo=UTC)
    entries = []
    for n in range(160):
        language, *others = rng.sample(sorted(MULTILINGUAL), 1 + n % 3)
        entries.append(
            Solution(
                slug=f"multi-{n}",
                kind=rng.choice(CORPUS_FILTERS["kind"]),
                language=language,
                title=_text(rng, language, 4),
                summary=_text(rng, language, 8),
                description=_text(rng, language, 30),
                maturity=rng.choice(CORPUS_FILTERS["maturity"]),
                city=rng.choice(cities),
                challenges=rng.sample(challenges, 1),
                status=Status.PUBLISHED,
                published_at=start + timedelta(days=n),
                translations=[
                    SolutionTranslation(
                        language=other,
                        title=_text(rng, other, 4),
                        summary=_text(rng, other, 8),
                        description=_text(rng, other, 20),
                    )
                    for other in others
                ],
            )
        )
    db.session.add_all([*cities, *entries])
    db.session.commit()
    search.rebuild()
    return live.generation()


def _multilingual_requests(seed: int, n: int):
    rng = random.Random(seed)  # noqa: S311 (test data)
    for i in range(n):
        language = rng.choice(sorted(MULTILINGUAL))
        text = _text(rng, language, rng.randint(1, 4))
        if i % 5 == 0:
            text += f" -{rng.choice(MULTILINGUAL[rng.choice(sorted(MULTILINGUAL))])}"
        if i % 7 == 0:
            text += f' "{_text(rng, language, 2)}"'
        names = rng.sample(sorted(CORPUS_FILTERS), rng.randint(0, 2))
        filters = {name: tuple(rng.sample(CORPUS_FILTERS[name], 1)) for name in names}
        sort = ["relevance", "relevance", "newest", "title"][i % 4]
        interface = rng.choice(["en", "fr", "de", "es", "it", "pt"])
        yield SearchRequest(text=text, filters=filters, sort=sort, per_page=10, language=interface)


def test_multilingual_documents_equal_whoosh(multilingual_index, monkeypatch):
    requests = list(_multilingual_requests(seed=31, n=60))
    several = [r for r in requests if any(not isinstance(w, str) for w in r.parsed().words)]
    assert several  # words read differently by the query's languages are under test
    assert assert_same_as_whoosh(monkeypatch, requests) == 60


def test_multilingual_top_ten_is_bm25f_proper_with_each_word_scored_once(multilingual_index):
    bm25f = Reference()
    generation = live.generation()
    for request in _multilingual_requests(seed=32, n=40):
        request = replace(request, filters={}, sort="relevance")
        outcome = engine.run(request)
        parsed = request.parsed(generation.languages)
        reference = bm25f.scores(parsed.ranked or parsed.words)
        allowed = {hit.id for hit in engine.run(replace(request, per_page=1000)).hits}
        expected = sorted((reference[i] for i in allowed), reverse=True)[:10]
        assert [hit.score for hit in outcome.hits] == pytest.approx(expected, rel=1e-9), request


def test_a_word_read_two_ways_weighs_no_more_than_one_read_one_way(multilingual_index):
    vectors = live.generation().vectors
    # "escuel" (Spanish) and "escol" (Portuguese): entries with both versions hold both terms.
    word = ("escuel", "escol")
    together, matched = vectors.score({word: 1.0})
    apart, _ = vectors.score(dict.fromkeys(word, 1.0))
    spanish, _ = vectors.score({"escuel": 1.0})
    portuguese, _ = vectors.score({"escol": 1.0})
    both = (spanish > 0) & (portuguese > 0)
    assert both.any()  # the case under test
    assert (together[both] < apart[both]).all()  # one word, not two
    # A word typed once saturates once: never more than BM25's ceiling for one term.
    assert together[matched].max() <= vectors.idf(np.flatnonzero(matched)) * (K1 + 1)


# Phrases: matched from the terms' positions (fast.Vectors.phrase), equal to Whoosh's Phrase.


def _phrase_requests(generation, seed: int, n: int, facets=FILTERS):
    """Phrases taken from the indexed titles and summaries (two to four adjacent words, stop
    words and all, so that most match), alone, beside words, excluded, or made up."""
    rng = random.Random(seed)  # noqa: S311 (test data)
    stored = generation.searcher.stored_fields
    texts = [
        stored(docnum)[name]
        for docnum in live.docnums(generation.live)
        for name in ("title", "summary")
        if stored(docnum).get(name)
    ]
    for i in range(n):
        words = rng.choice(texts).split()
        at = rng.randrange(max(1, len(words) - 3))
        phrase = " ".join(words[at : at + 2 + i % 3])
        word = rng.choice(WORDS)
        text = [
            f'"{phrase}"',
            f'{word} "{phrase}"',
            f'{word} -"{phrase}"',
            f'"{phrase}" -{word}',
            f'"{rng.choice(WORDS)} {rng.choice(WORDS)}" {word}',  # rarely a phrase anywhere
        ][i % 5]
        names = rng.sample(sorted(facets), rng.randint(0, 2))
        filters = {name: tuple(rng.sample(facets[name], 1)) for name in names}
        sort = ["relevance", "relevance", "newest", "title"][i % 4]
        yield SearchRequest(text=text, filters=filters, sort=sort, per_page=10)


def test_phrases_and_excluded_phrases_equal_whoosh(demo_index, monkeypatch):
    requests = list(_phrase_requests(demo_index, seed=41, n=100))
    found = [engine.run(request).total for request in requests[::5]]
    assert sum(1 for total in found if total) > len(found) // 2  # most phrases do match
    assert assert_same_as_whoosh(monkeypatch, requests) == 100


def test_phrases_over_several_segments_with_deletions_equal_whoosh(segmented_index, monkeypatch):
    requests = list(_phrase_requests(segmented_index, seed=42, n=60, facets=CORPUS_FILTERS))
    assert assert_same_as_whoosh(monkeypatch, requests) == 60


def test_phrases_in_several_languages_equal_whoosh(multilingual_index, monkeypatch):
    requests = list(_phrase_requests(multilingual_index, seed=43, n=60, facets=CORPUS_FILTERS))
    assert assert_same_as_whoosh(monkeypatch, requests) == 60
