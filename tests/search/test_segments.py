"""Arrays kept per Whoosh segment: after a write only the new segment is read, and the result is
the same as reading every segment afresh, and the same as Whoosh's own search."""

import random
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import select
from test_fast import _requests, assert_same_as_whoosh

from marketplace.database import unit_of_work
from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.search import SearchRequest, engine, live, segments
from marketplace.search.schema import TEXT_FIELDS
from marketplace.services import moderation
from marketplace.vocab import Status


@pytest.fixture
def demo_index(demo_app):
    demo_app.config["SEARCH_CONCEPTS"] = False  # the lexical stage alone is under test here
    with demo_app.app_context():
        yield live.generation()


@pytest.fixture
def reads(monkeypatch):
    """The segments whose facet bitsets were read from disk, in order."""
    read = []
    original = segments._read_facets

    def counting(reader, size):
        read.append(reader.segment().segment_id())
        return original(reader, size)

    monkeypatch.setattr(segments, "_read_facets", counting)
    return read


def _ids(generation) -> set[str]:
    return {key[1] for key in generation.vectors.segment_keys()}


def _cached(generation) -> set[segments.Key]:
    directory = str(generation.directory)
    return {key for key in segments.cached() if key[0] == directory}


def _write(app, change) -> None:
    """One save through the normal path: a unit of work, then the drain at the request's end."""
    with app.test_request_context("/", method="POST"), unit_of_work():
        change()


def _published() -> list[Solution]:
    query = select(Solution).where(Solution.status == Status.PUBLISHED).order_by(Solution.id)
    return db.session.scalars(query).all()


def _from_scratch(generation):
    """The same index state read with every segment's arrays read again."""
    segments.retain([])
    live._current.clear()
    return live.generation()


def _assert_same_arrays(generation, fresh) -> None:
    assert generation.live == fresh.live
    assert generation.facets == fresh.facets
    for field in TEXT_FIELDS:
        assert np.array_equal(
            generation.vectors.field_lengths(field), fresh.vectors.field_lengths(field)
        )
    for field in ("published", "title_sort"):
        assert np.array_equal(generation.vectors.sort_ranks(field), fresh.vectors.sort_ranks(field))
    for term in ("data", "energi", "citi", "traffic"):
        for field in TEXT_FIELDS:
            ids, weights = generation.vectors.postings(field, term)
            fresh_ids, fresh_weights = fresh.vectors.postings(field, term)
            assert np.array_equal(ids, fresh_ids)
            assert np.array_equal(weights, fresh_weights)


def _add(template: Solution) -> None:
    db.session.add(
        Solution(
            slug="seawater-cooling",
            kind=template.kind,
            title="Seawater district cooling for the harbour",
            summary="Cooling public buildings with sea water.",
            description="Pumps and a heat exchanger.",
            maturity=template.maturity,
            city=template.city,
            challenges=list(template.challenges),
            status=Status.PUBLISHED,
            published_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )


def test_after_add_update_and_delete_only_new_segments_are_read(
    demo_index, demo_app, reads, monkeypatch
):
    before = demo_index
    published = _published()
    _write(demo_app, lambda: _add(published[1]))
    _write(demo_app, lambda: setattr(published[0], "title", "Tidal energy for the old port"))
    _write(demo_app, lambda: moderation.apply_transition(published[5], Status.ARCHIVED, None))
    after = live.generation()

    assert after is not before
    assert after.searcher.reader().has_deletions()  # the update and the archive deleted documents
    kept = _ids(before) & _ids(after)
    assert kept  # the demo index's own segment outlives the writes
    assert reads  # the writes' segments were read...
    assert not kept & set(reads)  # ...and the old one, read before the writes, never again
    assert set(reads) >= _ids(after) - kept
    old = {segment.key: segment for segment, _, _ in before.vectors.leaves}
    for segment, _, _ in after.vectors.leaves:
        if segment.key[1] in kept:
            assert segment is old[segment.key]  # the same arrays, shared

    found = engine.run(SearchRequest(text="seawater cooling"))
    assert found.hits
    assert db.session.get(Solution, found.hits[0].id).slug == "seawater-cooling"
    assert assert_same_as_whoosh(monkeypatch, _requests(seed=41, n=40)) == 40
    _assert_same_arrays(after, _from_scratch(after))


def test_a_merged_segment_replaces_its_parts_and_theirs_are_released(demo_index, demo_app, reads):
    rng = random.Random(3)  # noqa: S311 (test data)
    published = _published()
    seen: set[str] = set(_ids(demo_index))
    merged = False
    for n in range(6):
        entry = rng.choice(published)
        _write(demo_app, lambda entry=entry, n=n: setattr(entry, "summary", f"Revised {n}."))
        generation = live.generation()
        now = _ids(generation)
        merged |= bool(seen - now)
        seen |= now
        # Only the open generation's segments stay cached, with only their postings.
        assert _cached(generation) == set(generation.vectors.segment_keys())
        generation.vectors.score(["revis"])
        directory = str(generation.directory)
        held = {key[0] for key in segments.postings_cached() if key[0][0] == directory}
        assert held <= set(generation.vectors.segment_keys())
    assert merged  # Whoosh merged the small segments the writes made
    assert len(reads) == len(set(reads))  # no segment read twice


def test_deletions_are_masked_per_generation_without_reading_the_segment_again(
    demo_index, demo_app, reads
):
    first = _published()[0]
    count = demo_index.searcher.doc_count()
    segment = demo_index.vectors.leaves[0][0]
    facets = segment.facets(demo_index.vectors.leaves[0][1])
    _write(demo_app, lambda: moderation.apply_transition(first, Status.ARCHIVED, None))
    after = live.generation()
    assert after.searcher.doc_count() == count - 1
    assert demo_index.searcher.doc_count() == count  # a request still on the old one is unmoved
    # Whoosh's own matchers (phrases, spelling) skip the new deletion; the old searcher does not.
    assert after.searcher.document_number(id=str(first.id)) is None
    assert demo_index.searcher.document_number(id=str(first.id)) is not None
    # The segment's open files are reused, not opened (and copied into memory) again.
    assert after.vectors.leaves[0][1]._terms is demo_index.vectors.leaves[0][1]._terms
    still = next(s for s, _, _ in after.vectors.leaves if s.key == segment.key)
    assert still is segment
    assert still.facets(after.vectors.leaves[0][1]) is facets
    assert reads == []  # the archive added no segment: only the deletion mask changed
    assert after.live.bit_count() == demo_index.live.bit_count() - 1
    total = sum(bits.bit_count() for bits in after.facets["kind"].values())
    assert total == after.searcher.doc_count()
