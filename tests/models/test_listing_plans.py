"""The public listings read their indexes in order: no scan of the entries, no sort of them.

Each listing query of the home, city, track, challenge, service and SDG pages is explained on the
database under test: SQLite's EXPLAIN QUERY PLAN must search the solution table through the named
index without a temporary B-tree for the ORDER BY; PostgreSQL's EXPLAIN (with sequential scans
priced out, as they would be on a large catalogue) must scan that index with no Sort step.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text

from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.models.solution import solution_challenge, solution_sdg, solution_service
from marketplace.services import catalogue
from marketplace.vocab import Status

PAGE = 20


def plan(query) -> list[str]:
    """The database's plan of ``query``, one line a step."""
    sql = str(query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "sqlite":
        return [row.detail for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    return [row[0] for row in db.session.execute(text(f"EXPLAIN {sql}"))]


def assert_reads_in_order(steps: list[str], index: str) -> None:
    shown = "\n".join(steps)
    if db.engine.dialect.name == "sqlite":
        assert any(
            step.startswith("SEARCH solution USING") and f"INDEX {index} " in step for step in steps
        ), shown
        assert not any(step.startswith("SCAN solution") for step in steps), shown
        assert "USE TEMP B-TREE FOR ORDER BY" not in shown, shown
    else:
        assert any(
            "Index" in step and f"Scan Backward using {index} on solution " in step
            for step in steps
        ), shown
        assert not any(step.lstrip(" ->").startswith("Sort") for step in steps), shown
        assert "Seq Scan on solution " not in shown, shown


ENTRIES = 2_000


@pytest.fixture
def terms(make_solution, make_city, taxonomy):
    """A catalogue the planner has statistics of: entries of 20 cities, a few featured, a few
    not published, each with a challenge, a service and an SDG (a listing is never empty)."""
    entry = make_solution(
        challenges=[taxonomy["challenges"]["retrofit"]],
        services=[taxonomy["service"]],
        sdgs=[taxonomy["sdgs"][0]],
    )
    cities = [entry.city.id, *(make_city().id for _ in range(19))]
    challenges = [challenge.id for challenge in taxonomy["challenges"].values()]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    ids = db.session.scalars(
        insert(Solution).returning(Solution.id),
        [
            {
                "slug": f"bulk-{n}",
                "kind": "solution",
                "title": f"Entry {n}",
                "city_id": cities[n % len(cities)],
                "status": Status.PUBLISHED if n % 10 else Status.DRAFT,
                "featured": n % 100 == 1,
                "published_at": start + timedelta(hours=n) if n % 10 else None,
            }
            for n in range(ENTRIES)
        ],
    ).all()
    links = (
        (solution_challenge, "challenge_id", challenges),
        (solution_service, "service_id", [taxonomy["service"].id]),
        (solution_sdg, "sdg_number", [sdg.number for sdg in taxonomy["sdgs"]]),
    )
    for table, column, values in links:
        rows = [{"solution_id": i, column: values[i % len(values)]} for i in ids]
        db.session.execute(insert(table), rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # PostgreSQL's autovacuum gathers statistics on its own; SQLite keeps none unless ANALYZE
        # runs, which the app never does, so its planner judges by the indexes alone.
        db.session.execute(text("ANALYZE"))
    return {
        "city": entry.city,
        "track": taxonomy["tracks"][0],
        "challenge": taxonomy["challenges"]["retrofit"],
        "service": taxonomy["service"],
        "sdg": taxonomy["sdgs"][0].number,
    }


LISTINGS = {
    "latest": (lambda terms: catalogue.published().limit(6), "ix_solution_listing"),
    "featured": (
        lambda terms: catalogue.published_featured().limit(3),
        "ix_solution_featured_listing",
    ),
    "city": (
        lambda terms: catalogue.published_for_city(terms["city"]).limit(PAGE).offset(PAGE),
        "ix_solution_city_listing",
    ),
    "track": (
        lambda terms: catalogue.published_for_track(terms["track"]).limit(PAGE),
        "ix_solution_listing",
    ),
    "challenge": (
        lambda terms: catalogue.published_for_challenge(terms["challenge"]).limit(PAGE),
        "ix_solution_listing",
    ),
    "service": (
        lambda terms: catalogue.published_for_service(terms["service"]).limit(PAGE),
        "ix_solution_listing",
    ),
    "sdg": (
        lambda terms: catalogue.published_for_sdg(terms["sdg"]).limit(PAGE),
        "ix_solution_listing",
    ),
}


@pytest.mark.parametrize("listing", LISTINGS)
def test_listing_reads_its_index_in_order(terms, listing):
    query, index = LISTINGS[listing]

    assert_reads_in_order(plan(query(terms)), index)
