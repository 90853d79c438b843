"""The search outbox: every change that alters what the public finds reaches the index."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from whoosh import index as whoosh_index

from marketplace import search
from marketplace.database import unit_of_work
from marketplace.extensions import db
from marketplace.models import SearchChange
from marketplace.search.index import current_dir
from marketplace.services import moderation
from marketplace.vocab import Status


def indexed():
    """Slugs in the live index, read as a fresh process would."""
    ix = whoosh_index.open_dir(current_dir())
    try:
        with ix.searcher() as searcher:
            return {fields["slug"]: fields for fields in searcher.all_stored_fields()}
    finally:
        ix.close()


def in_request(app, work):
    """Run ``work`` inside a request, as a view would; the request's end drains the outbox."""
    with app.test_request_context("/", method="POST"), unit_of_work():
        work()


@pytest.fixture
def built(app, ctx):
    search.rebuild()
    return app


def test_a_change_writes_outbox_rows_in_its_own_transaction(make_solution):
    solution = make_solution()
    rows = db.session.scalars(select(SearchChange)).all()
    assert ("solution", solution.id) in {(row.entity, row.entity_id) for row in rows}


def test_a_rolled_back_change_leaves_no_outbox_row(make_solution):
    solution = make_solution()
    before = len(db.session.scalars(select(SearchChange)).all())
    solution.title = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert len(db.session.scalars(select(SearchChange)).all()) == before


def test_publishing_reaches_the_index_when_the_request_ends(built, make_solution):
    solution = make_solution(status=Status.SUBMITTED, slug="fresh")
    assert "fresh" not in indexed()
    in_request(built, lambda: moderation.apply_transition(solution, Status.PUBLISHED, None))
    assert "fresh" in indexed()
    assert not search.check()


def test_archiving_removes_the_entry_from_the_index(built, make_solution):
    solution = make_solution(slug="going")
    search.drain()
    assert "going" in indexed()
    in_request(built, lambda: moderation.apply_transition(solution, Status.ARCHIVED, None))
    assert "going" not in indexed()


def test_editing_a_published_entry_updates_its_document(built, make_solution):
    solution = make_solution(slug="edited")
    search.drain()

    def edit():
        solution.title = "A brand new title"

    in_request(built, edit)
    assert indexed()["edited"]["title"] == "A brand new title"


def test_renaming_a_city_reindexes_its_published_entries(built, make_solution, make_city):
    city = make_city(name="Old name")
    make_solution(city=city, slug="in-city")
    search.drain()

    def rename():
        city.name = "Nova Gorica"

    in_request(built, rename)
    assert indexed()["in-city"]["city_name"] == "Nova Gorica"
    assert not search.check()


def test_a_locked_index_keeps_the_change_for_search_sync(built, make_solution, runner):
    solution = make_solution(status=Status.SUBMITTED, slug="delayed")
    built.config["SEARCH_WRITE_TIMEOUT"] = 0.05
    ix = whoosh_index.open_dir(current_dir())
    writer = ix.writer()  # another process holds the write lock
    try:
        in_request(built, lambda: moderation.apply_transition(solution, Status.PUBLISHED, None))
        assert "delayed" not in indexed()
    finally:
        writer.cancel()
        ix.close()
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    assert "pending changes" in result.output
    assert "delayed" in indexed()


def test_draining_twice_applies_nothing_the_second_time(built, make_solution):
    make_solution()
    assert search.drain() >= 1
    assert search.drain() == 0


def test_an_index_rebuilt_after_a_change_does_not_apply_it_again(built, make_solution):
    make_solution()
    search.rebuild()
    assert search.drain() == 0


def test_search_check_detects_and_repairs_a_corrupted_index(built, make_solution, runner):
    keep = make_solution(slug="keep")
    make_solution(slug="drop")
    search.drain()
    ix = whoosh_index.open_dir(current_dir())
    with ix.writer() as writer:  # corrupt: lose one document, make another stale, add a stranger
        writer.delete_by_term("slug", "drop")
        writer.update_document(id=str(keep.id), slug="keep", title="stale", stamp="x")
        writer.add_document(id="999999", slug="stranger", stamp="y")
    ix.close()

    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert "missing from the index: drop" in result.output
    assert "indexed from an older version: keep" in result.output
    assert "in the index but not published: stranger" in result.output

    repaired = runner.invoke(args=["search", "check", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    clean = runner.invoke(args=["search", "check"])
    assert clean.exit_code == 0, clean.output
    assert "Index and database agree" in clean.output


def test_search_check_without_an_index_says_how_to_build_one(runner):
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert "search rebuild" in result.output


def test_the_live_searcher_sees_a_change_made_by_the_previous_request(built, make_solution):
    from marketplace.search import SearchRequest

    solution = make_solution(status=Status.SUBMITTED, title="Seawater district cooling")
    assert search.run(SearchRequest(text="seawater")).total == 0  # the searcher is now open
    in_request(built, lambda: moderation.apply_transition(solution, Status.PUBLISHED, None))
    assert search.run(SearchRequest(text="seawater")).total == 1
    in_request(built, lambda: moderation.apply_transition(solution, Status.ARCHIVED, None))
    assert search.run(SearchRequest(text="seawater")).total == 0


def test_repairing_a_locked_index_says_so_and_changes_nothing(built, make_solution):
    make_solution(slug="unindexed")  # drift: published, not drained
    built.config["SEARCH_WRITE_TIMEOUT"] = 0.05
    ix = whoosh_index.open_dir(current_dir())
    writer = ix.writer()  # another process holds the write lock
    try:
        with pytest.raises(search.IndexBusy, match="write lock"):
            search.check(repair=True)
    finally:
        writer.cancel()
        ix.close()
    assert search.check().missing == ["unindexed"]


def _archive_while_locked(app, solution):
    """Archive ``solution`` while another process holds the index lock: the drain gives up."""
    app.config["SEARCH_WRITE_TIMEOUT"] = 0.05
    ix = whoosh_index.open_dir(current_dir())
    writer = ix.writer()
    try:
        in_request(app, lambda: moderation.apply_transition(solution, Status.ARCHIVED, None))
    finally:
        writer.cancel()
        ix.close()


def test_a_later_request_applies_what_a_busy_index_left_behind(built, make_solution, client):
    solution = make_solution(slug="left-behind")
    search.drain()
    _archive_while_locked(built, solution)
    assert "left-behind" in indexed()
    assert client.get("/").status_code == 200  # commits nothing
    assert "left-behind" not in indexed()
    assert not search.check()


def test_requests_check_the_outbox_at_most_once_per_interval(built, make_solution, client):
    solution = make_solution(slug="throttled")
    client.get("/")  # drains what make_solution committed
    built.config["SEARCH_CATCHUP_INTERVAL"] = 3600
    client.get("/")  # checks: nothing pending
    _archive_while_locked(built, solution)
    client.get("/")
    assert "throttled" in indexed()  # not checked again yet
    built.config["SEARCH_CATCHUP_INTERVAL"] = 0
    built.extensions["search_catch_up"].next_check = 0
    client.get("/")
    assert "throttled" not in indexed()


def test_a_failing_outbox_check_does_not_fail_the_request(built, client, monkeypatch):
    from marketplace.search import tracking

    def broken():
        raise RuntimeError("database gone")

    monkeypatch.setattr(tracking, "outbox_ahead", broken)
    assert client.get("/").status_code == 200


def test_a_drain_prunes_applied_rows_older_than_the_retention(built, make_solution):
    from marketplace.search.sync import RETENTION
    from marketplace.sqltypes import utc_now

    long_ago = utc_now() - RETENTION - timedelta(days=1)
    old = make_solution(slug="old")
    db.session.add_all(
        SearchChange(entity="solution", entity_id=old.id, created_at=long_ago) for _ in range(3)
    )
    db.session.commit()
    recent = make_solution(slug="recent")
    assert search.drain() >= 4
    rows = db.session.scalars(select(SearchChange)).all()
    assert rows
    assert all(row.created_at > long_ago for row in rows)  # applied and old: deleted
    assert ("solution", recent.id) in {(row.entity, row.entity_id) for row in rows}
    assert {"old", "recent"} <= indexed().keys()
    assert search.drain() == 0


def test_a_translation_s_change_reaches_the_index(built, make_solution):
    from marketplace.models import SolutionTranslation
    from marketplace.search import SearchRequest

    solution = make_solution(slug="translated", title="Solar panels")
    search.rebuild()

    def add():
        db.session.add(
            SolutionTranslation(solution_id=solution.id, language="es", title="Tejados de Zaragoza")
        )

    in_request(built, add)
    found = search.run(SearchRequest(text="tejados", language="es"))
    assert [hit.id for hit in found.hits] == [solution.id]

    def edit():
        db.session.scalars(select(SolutionTranslation)).one().title = "Placas fotovoltaicas"

    in_request(built, edit)
    assert search.run(SearchRequest(text="fotovoltaicas", language="es")).total == 1
    assert search.run(SearchRequest(text="zaragoza tejados", language="es")).total == 0
    assert not search.check()


def found(client, words: str) -> int:
    return client.get("/api/v1/solutions", query_string={"q": words}).get_json()["total"]


def test_a_search_applies_what_its_index_missed_before_answering(built, make_solution, client):
    solution = make_solution(slug="left-behind", title="Robotic library")
    search.drain()
    _archive_while_locked(built, solution)  # as if another node archived it
    assert "left-behind" in indexed()
    assert found(client, "robotic") == 0  # this very search caught up first


def test_a_slow_catch_up_does_not_hold_the_search_back(built, make_solution, client, monkeypatch):
    from marketplace.search import tracking

    solution = make_solution(slug="on-its-way", title="Robotic library")
    search.drain()
    _archive_while_locked(built, solution)  # as if another node archived it
    released, started = threading.Event(), threading.Event()
    drain = tracking._drain

    def slow_drain():
        started.set()
        released.wait()
        drain()

    monkeypatch.setattr(tracking, "_drain", slow_drain)
    built.config["SEARCH_CATCHUP_WAIT"] = 0.01
    assert found(client, "robotic") == 1  # answered from the index as it was
    assert started.is_set()
    released.set()
    for thread in threading.enumerate():
        if thread.name == "search-catch-up":
            thread.join()
    assert found(client, "robotic") == 0
