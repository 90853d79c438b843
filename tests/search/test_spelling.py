"""'Did you mean ...?' on the demo catalogue: real misspellings get the word meant, nothing else."""

import pytest

from marketplace import search
from marketplace.extensions import db
from marketplace.search import SearchRequest, live
from marketplace.search.spelling import distance
from marketplace.vocab import Status


@pytest.fixture
def demo_search(demo_app):
    with demo_app.app_context():
        yield


def suggestion(text: str) -> str | None:
    """What "Did you mean" offers for ``text`` searched as typed (no automatic correction)."""
    return search.run(SearchRequest(text=text, exact=True)).suggestion


def test_words_only_entries_bodies_hold_are_offered(demo_search):
    # Neither word is in any title or summary; several descriptions use them.
    assert suggestion("feasability study") == "feasibility study"
    assert suggestion("greenwahsing") == "greenwashing"


def test_the_closest_word_is_offered_not_the_most_frequent(demo_search):
    assert suggestion("traffc congestion") == "traffic congestion"
    assert suggestion("opne data") == "open data"  # not "on", a stop word


@pytest.mark.parametrize(
    "typed",
    [
        "rush hour",  # not "runs"
        "kids",  # not "kind"
        "warm homes",  # not "were"
        "trafic",  # French for traffic, not a typo of it
        "energie",  # French, German, Italian
        "Bürgerbeteiligung",  # German
        "participación ciudadana",  # Spanish
    ],
)
def test_a_real_word_the_catalogue_lacks_is_never_corrected(demo_search, typed):
    assert suggestion(typed) is None


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("consultaton", "consultation"), ("participatoin", "participation"), ("tourisim", "tourism"),
     ("greenwahsing", "greenwashing"), ("citizn participatoin", "citizen participation")],
)  # fmt: skip
def test_real_typos_are_still_corrected(demo_search, typed, meant):
    assert suggestion(typed) == meant


def test_other_forms_of_a_word_that_finds_entries_are_left_alone(demo_search):
    assert suggestion("retrain workers for green jobs") is None  # not "retrains"
    assert suggestion("congestion") is None


def test_a_correction_replaces_the_misspelled_word_where_it_was_typed(demo_search):
    assert suggestion("traffik2 traffik") == "traffik2 traffic"
    assert suggestion("Opne data, opne portals") == "open data, open portals"


@pytest.mark.parametrize(
    ("a", "b", "edits"),
    [("open", "open", 0), ("opne", "open", 1), ("opne", "on", 2), ("trafic", "traffic", 1),
     ("", "abc", 3), ("retrofiting", "retrofitting", 1), ("ca", "abc", 3)],
)  # fmt: skip
def test_distance_counts_a_swap_of_neighbours_as_one_edit(a, b, edits):
    assert distance(a, b) == edits


def test_words_of_archived_entries_are_never_offered(make_solution):
    for n in range(10):
        make_solution(title=f"Open data portal {n}", summary="Budgets published as open data.")
    archived = [
        make_solution(
            title="Kaleidoscope observatory",
            summary="Kaleidoscope lenses for the harbour.",
            description="Zeppelin flights over the harbour.",  # a body word two entries use
        )
        for _ in range(2)
    ]
    search.rebuild()
    assert suggestion("kaleidsocope observatroy zepelin") == "kaleidoscope observatory zeppelin"
    for solution in archived:
        solution.status = Status.ARCHIVED
    db.session.commit()
    search.drain()
    # The archived documents are deleted but still sit in the segment, words and all.
    assert live.generation().searcher.reader().has_deletions()
    assert suggestion("kaleidsocope observatroy zepelin") is None
    assert suggestion("portl") == "portal"  # words of live entries still are
