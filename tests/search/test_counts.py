"""Counts from the live index's facet bitsets: the database's published counts, or no answer."""

import pytest
from sqlalchemy import func, select

from marketplace import search
from marketplace.extensions import db
from marketplace.models import City, SearchChange
from marketplace.search import position
from marketplace.search.index import VERSION_FILE, current_dir
from marketplace.services import catalogue, taxonomy
from marketplace.vocab import Status

COUNTS = (
    catalogue.count_published,
    taxonomy.published_counts_by_track,
    taxonomy.published_counts_by_challenge,
    taxonomy.published_counts_by_service,
)


def from_database(monkeypatch) -> list:
    """Each count as the database gives it (the index kept out of it)."""
    with monkeypatch.context() as patch:
        patch.setattr(search, "current_counts", lambda: None)
        return [count() for count in COUNTS]


@pytest.fixture
def catalogue_rows(make_solution, make_city, taxonomy):
    """Published entries in several tracks, challenges and services, and unpublished ones."""
    challenges = taxonomy["challenges"]
    lisbon = make_city(slug="lisbon", name="Lisbon")
    make_solution(challenges=[challenges["retrofit"]])
    make_solution(challenges=[challenges["retrofit"], challenges["smes"]], city=lisbon)
    make_solution(challenges=[challenges["last-mile"], challenges["smes"]])
    make_solution(challenges=[challenges["last-mile"]], services=[taxonomy["service"]])
    make_solution(challenges=[])
    for status in Status:
        if status != Status.PUBLISHED:
            make_solution(status=status, challenges=[challenges["retrofit"]])


def test_a_current_index_counts_what_the_database_counts(
    app, catalogue_rows, build_index, monkeypatch
):
    build_index()

    assert search.current_counts() is not None
    assert [count() for count in COUNTS] == from_database(monkeypatch)
    assert catalogue.count_published() == 5
    assert sorted(taxonomy.published_counts_by_track().values()) == [2, 3]


def test_changes_the_index_has_not_applied_are_counted_in_the_database(
    app, catalogue_rows, build_index, make_solution, taxonomy, monkeypatch
):
    build_index()
    entry = make_solution(challenges=[taxonomy["challenges"]["last-mile"]])
    entry.status = Status.ARCHIVED
    db.session.commit()
    make_solution(challenges=[taxonomy["challenges"]["smes"]])

    assert search.current_counts() is None
    assert [count() for count in COUNTS] == from_database(monkeypatch)
    assert catalogue.count_published() == 6


def test_once_the_index_applied_them_it_counts_again(
    app, catalogue_rows, build_index, make_solution, taxonomy, monkeypatch
):
    build_index()
    make_solution(challenges=[taxonomy["challenges"]["smes"]])
    search.drain(timeout=30)

    assert search.current_counts() is not None
    assert [count() for count in COUNTS] == from_database(monkeypatch)


def test_without_an_index_the_database_counts(app, catalogue_rows, monkeypatch):
    assert search.current_counts() is None
    assert catalogue.count_published() == 5


def test_a_change_below_the_newest_applied_one_still_to_apply_is_counted_in_the_database(
    app, catalogue_rows, build_index, make_solution, taxonomy
):
    """On PostgreSQL a transaction holding a lower outbox id can commit after a higher one."""
    build_index()
    make_solution(challenges=[taxonomy["challenges"]["smes"]])
    make_solution(challenges=[taxonomy["challenges"]["smes"]])
    search.drain(timeout=30)
    directory = current_dir()
    ids = sorted(db.session.scalars(select(SearchChange.id)))
    position.write(directory, position.Position(floor=ids[0] - 1, applied=set(ids[1:])))

    assert search.current_counts() is None


def test_a_current_index_counts_each_listing_as_its_query_selects(
    app, catalogue_rows, build_index, taxonomy
):
    build_index()
    cities = db.session.scalars(select(City)).all()
    listings = [
        *((city, catalogue.published_for_city(city)) for city in cities),
        *((track, catalogue.published_for_track(track)) for track in taxonomy["tracks"]),
        *(
            (challenge, catalogue.published_for_challenge(challenge))
            for challenge in taxonomy["challenges"].values()
        ),
        (taxonomy["service"], catalogue.published_for_service(taxonomy["service"])),
    ]

    counted = {term.slug: catalogue.indexed_count(term) for term, _ in listings}
    selected = {
        term.slug: db.session.scalar(select(func.count()).select_from(query.subquery()))
        for term, query in listings
    }
    assert counted == selected
    assert (counted["green"], counted["mobility"], counted["smes"]) == (3, 2, 2)


def test_an_index_of_another_analysis_version_is_not_counted_from(app, catalogue_rows, build_index):
    build_index()
    (current_dir() / VERSION_FILE).write_text("1", encoding="ascii")

    assert search.current_counts() is None
