"""Query and index analysis: acronyms are words, plurals meet singulars, repeats weigh more."""

import pytest

from marketplace import search
from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.search import SearchRequest
from marketplace.search.query import analyse, parse


@pytest.mark.parametrize("acronym", ["IT", "EU", "SME", "ICT", "LEZ", "US"])
def test_an_acronym_in_capitals_is_never_a_stop_word(acronym):
    assert analyse(f"jobs in {acronym}") == ["job", acronym.lower()]


def test_the_same_word_in_small_letters_still_is_one():
    assert analyse("refugees need jobs in it") == ["refuge", "need", "job"]
    assert analyse("It Is As") == []
    assert analyse("SMEs and NGOs") == ["sme", "ngo"]


@pytest.mark.parametrize(
    ("singular", "plural"),
    [("bus", "buses"), ("gas", "gases"), ("lens", "lenses"), ("canvas", "canvases"),
     ("quiz", "quizzes"), ("crisis", "crises"), ("city", "cities"), ("tax", "taxes"),
     ("box", "boxes"), ("church", "churches"), ("bike", "bikes"), ("bench", "benches"),
     ("wish", "wishes"), ("minibus", "minibuses"), ("child", "children"), ("woman", "women"),
     ("class", "classes"), ("process", "processes"), ("business", "businesses")],
)  # fmt: skip
def test_plural_and_singular_meet(singular, plural):
    assert analyse(plural) == analyse(singular)


@pytest.mark.parametrize(
    ("one", "other"),
    [("retrofitting", "retrofit"), ("Guimarães", "guimaraes"), ("cases", "case"),
     ("uses", "use"), ("houses", "house"), ("causes", "cause"), ("bases", "base"),
     ("phases", "phase"), ("analyses", "analyse"), ("courses", "course"),
     ("retrained", "retrain"), ("towns", "town")],
)  # fmt: skip
def test_what_met_before_still_meets(one, other):
    assert analyse(one) == analyse(other)


def test_a_repeated_word_weighs_more_than_a_word_typed_once():
    words = parse("heat pumps heat schools heat").words
    assert list(words) == ["heat", "pump", "school"]
    assert words["pump"] == words["school"] == 1.0
    assert words["heat"] > words["pump"]


def test_an_acronym_entry_is_found_by_its_acronym_and_plurals_by_singulars(make_solution):
    it = make_solution(title="Coding bootcamp", summary="IT skills for refugees.")
    make_solution(title="Tell it to the mayor", summary="A complaints line for it all.")
    buses = make_solution(title="Electric buses", summary="Forty buses on the harbour lines.")
    search.rebuild()
    ids = [hit.id for hit in search.run(SearchRequest(text="refugees need jobs in IT")).hits]
    assert ids[0] == it.id
    assert [hit.id for hit in search.run(SearchRequest(text="IT")).hits] == [it.id]
    assert [hit.id for hit in search.run(SearchRequest(text="bus")).hits] == [buses.id]
    assert db.session.get(Solution, buses.id)
