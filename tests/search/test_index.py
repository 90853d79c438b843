"""Rebuilding the index: what a killed rebuild left behind goes, the live index and others' stay."""

import fcntl
import os
import time

import pytest
from whoosh import index as whoosh_index

from marketplace import search
from marketplace.extensions import db
from marketplace.search import index
from marketplace.search.index import current_dir, search_root
from marketplace.vocab import Status


def _leftover(name: str, age_seconds: float = 0) -> os.PathLike:
    """A partial index directory, as a rebuild killed ``age_seconds`` ago leaves it."""
    path = search_root() / name
    path.mkdir(parents=True)
    (path / "_MAIN_1.toc").write_bytes(b"partial")
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def test_a_rebuild_removes_old_leftovers_of_killed_rebuilds(ctx, make_solution):
    make_solution()
    old = _leftover("index-killed", age_seconds=index.LEFTOVER_AGE + 60)
    search.rebuild()
    assert not old.exists()
    assert [p.name for p in search_root().glob("index-*")] == [current_dir().name]


def test_a_rebuild_leaves_a_young_directory_another_rebuild_may_be_writing(ctx, make_solution):
    make_solution()
    young = _leftover("index-starting")
    search.rebuild()
    assert young.exists()


def test_a_rebuild_leaves_a_directory_another_process_is_building(ctx, make_solution):
    make_solution()
    busy = _leftover("index-busy", age_seconds=index.LEFTOVER_AGE + 60)
    # Another process's rebuild holds the lock on its directory (flock: per open file).
    with open(busy / index.BUILDING, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        search.rebuild()
        assert busy.exists()
    search.rebuild()  # the lock is gone: that process died
    assert not busy.exists()


def test_a_rebuild_never_removes_the_live_index(ctx, make_solution):
    make_solution()
    search.rebuild()
    live = current_dir()
    then = time.time() - index.LEFTOVER_AGE - 60
    os.utime(live, (then, then))
    index.remove_leftovers()
    assert whoosh_index.exists_in(live)


def test_a_drain_merges_away_segments_mostly_deleted(ctx, make_solution):
    entries = [make_solution() for _ in range(10)]
    search.rebuild()
    for solution in entries[:6]:
        solution.status = Status.ARCHIVED
    db.session.commit()
    search.drain()
    ix = whoosh_index.open_dir(current_dir())
    try:
        with ix.reader() as reader:
            assert (reader.doc_count_all(), reader.doc_count()) == (4, 4)
    finally:
        ix.close()


def test_a_drain_keeps_segments_with_few_deletions(ctx, make_solution):
    entries = [make_solution() for _ in range(10)]
    search.rebuild()
    entries[0].status = Status.ARCHIVED
    db.session.commit()
    search.drain()
    ix = whoosh_index.open_dir(current_dir())
    try:
        with ix.reader() as reader:  # rewriting a big segment for one deletion costs too much
            assert (reader.doc_count_all(), reader.doc_count()) == (10, 9)
    finally:
        ix.close()


def test_a_rebuild_works_in_a_data_dir_copied_without_its_links(ctx, make_solution):
    make_solution()
    search.rebuild()
    live = current_dir()
    link = search_root() / "current"
    link.unlink()
    live.rename(link)  # what cp -r makes of the link: the index itself under its name
    assert search.rebuild() == 1
    assert link.is_symlink()
    assert sorted(p.name for p in search_root().iterdir()) == sorted(
        ["current", current_dir().name]
    )


def test_an_index_of_an_older_analysis_is_kept_current_and_check_asks_for_a_rebuild(
    ctx, make_solution, runner
):
    solution = make_solution(slug="kept", title="Old title")
    search.rebuild()
    directory = current_dir()
    # As an index of the previous release: no version file, no meaning column.
    (directory / index.VERSION_FILE).unlink()
    ix = whoosh_index.open_dir(directory)
    old_schema = ix.schema.copy()
    old_schema.remove("meaning")
    ix.close()
    fresh = whoosh_index.create_in(directory, old_schema)
    with fresh.writer() as writer:
        fields = search.documents.document(solution)
        writer.add_document(**{k: v for k, v in fields.items() if k != "meaning"})
    solution.title = "New title"
    db.session.commit()
    assert search.drain() == 1  # no error on the missing field
    with whoosh_index.open_dir(directory).searcher() as searcher:
        assert searcher.document(slug="kept")["title"] == "New title"
    with pytest.raises(search.IndexOutdated, match="search rebuild"):
        search.check()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert "built by version 1" in result.output
    search.rebuild()
    assert not search.check()
