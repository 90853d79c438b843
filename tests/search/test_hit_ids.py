"""Hits name the right entries when their ids are kept per segment: after saves add segments,
the kept ids of the old segment still name the same entries and the new ones are read."""

import pytest
from sqlalchemy import select

from marketplace.database import unit_of_work
from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.search import SearchRequest, engine, hit_ids, live
from marketplace.vocab import Status


@pytest.fixture
def demo_index(demo_app):
    demo_app.config["SEARCH_CONCEPTS"] = False
    with demo_app.app_context():
        yield live.generation()


def _stored_ids(generation) -> dict[int, int]:
    """Document number -> entry id for every live document, through Whoosh's stored fields."""
    searcher = generation.searcher
    return {
        docnum: int(searcher.stored_fields(docnum)["id"])
        for docnum in range(generation.vectors.size)
        if generation.live >> docnum & 1
    }


def _save(app, change) -> None:
    with app.test_request_context("/", method="POST"), unit_of_work():
        change()


def test_kept_ids_name_the_same_entries_as_stored_fields_across_saves(demo_index, demo_app):
    stored = _stored_ids(demo_index)
    assert hit_ids.entry_ids(demo_index.vectors, list(stored)) == list(stored.values())

    published = db.session.scalars(
        select(Solution).where(Solution.status == Status.PUBLISHED).order_by(Solution.id)
    ).all()
    renamed = published[0]
    _save(demo_app, lambda: setattr(renamed, "title", "Kelp farming for the old harbour"))
    _save(demo_app, lambda: setattr(published[1], "summary", "Revised."))
    after = live.generation()
    assert after is not demo_index
    assert len(after.vectors.leaves) > 1  # the saves' segments beside the demo index's own

    stored = _stored_ids(after)
    assert hit_ids.entry_ids(after.vectors, list(stored)) == list(stored.values())
    found = engine.run(SearchRequest(text="kelp farming harbour"))
    assert found.hits[0].id == renamed.id
