"""The vectorised hot path answers exactly what Whoosh's public search API answers."""

import random

import pytest
from sqlalchemy import select

from marketplace import search
from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.search import SearchRequest, engine, live
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
    with demo_app.app_context():
        yield live.generation()


def _requests(seed: int, n: int):
    rng = random.Random(seed)  # noqa: S311 (test data)
    for i in range(n):
        words = " ".join(rng.sample(WORDS, rng.randint(1, 6)))
        if i % 5 == 0:
            words += f" -{rng.choice(WORDS)}"
        names = rng.sample(sorted(FILTERS), rng.randint(0, 2))
        filters = {name: tuple(rng.sample(FILTERS[name], 1 + i % 2)) for name in names}
        sort = ["relevance", "relevance", "newest", "title"][i % 4]
        yield SearchRequest(text=words, filters=filters, sort=sort, per_page=10)


def whoosh_run(monkeypatch, request):
    """The same search with every query sent through Whoosh's own matchers."""
    with monkeypatch.context() as patch:
        patch.setattr(engine, "_needs_whoosh", lambda parsed: True)
        return engine.run(request)


def assert_same_as_whoosh(monkeypatch, requests) -> int:
    """Run each request both ways; totals, facet counts and the top page must agree."""
    compared = 0
    for request in requests:
        fast = engine.run(request)
        slow = whoosh_run(monkeypatch, request)
        assert fast.total == slow.total, request
        assert fast.counts == slow.counts, request
        if request.sort == "relevance":
            # Same scores (to float rounding); order may differ only between tied scores.
            fast_scores = [round(hit.score, 6) for hit in fast.hits]
            assert fast_scores == [round(hit.score, 6) for hit in slow.hits], request
            by_score = {}
            for hit in slow.hits:
                by_score.setdefault(round(hit.score, 6), set()).add(hit.id)
            for hit in fast.hits:
                assert hit.id in by_score[round(hit.score, 6)], request
        elif request.sort == "title":
            assert [h.id for h in fast.hits] == [h.id for h in slow.hits], request
        compared += 1
    return compared


def test_totals_counts_and_top_ten_equal_whoosh(demo_index, monkeypatch):
    # The reference is Whoosh scoring every match (limit=None): its top-N collection with a
    # limit misses documents on wide OR queries, which the vectorised path does not.
    assert assert_same_as_whoosh(monkeypatch, _requests(seed=11, n=120)) == 120


def test_an_index_with_deleted_documents_still_equals_whoosh(demo_index, demo_app, monkeypatch):
    # Editing or archiving a published entry deletes its old document: Whoosh then wraps the
    # segment's postings in a filter, which the vectorised path must read through.
    published = db.session.scalars(
        select(Solution).where(Solution.status == Status.PUBLISHED).order_by(Solution.id)
    ).all()
    edited, archived = published[0], published[10]  # document 0 opens many postings lists
    with demo_app.test_request_context("/", method="POST"):
        edited.title = "Seawater district cooling for the harbour"
        db.session.commit()
    with demo_app.test_request_context("/", method="POST"):
        moderation.apply_transition(archived, Status.ARCHIVED, None)
        db.session.commit()
    generation = live.generation()
    assert generation.searcher.reader().has_deletions()  # the case under test
    assert not search.check()

    found = engine.run(SearchRequest(text=archived.title, per_page=100))
    assert found.total
    assert archived.id not in {hit.id for hit in found.hits}
    assert [hit.id for hit in engine.run(SearchRequest(text="seawater")).hits] == [edited.id]
    assert assert_same_as_whoosh(monkeypatch, _requests(seed=12, n=60)) == 60


def test_newest_first_agrees_with_publication_dates(demo_index):
    outcome = engine.run(SearchRequest(sort="newest", per_page=50))
    dates = [db.session.get(Solution, hit.id).published_at for hit in outcome.hits]
    assert dates == sorted(dates, reverse=True)
    assert outcome.total == len(dates)
