"""The ICC vocabulary matcher: which concepts a question names, and its refresh per process."""

import pytest

from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import TaxonomyPhrase
from marketplace.search import concepts
from marketplace.search.concepts import Concept, Concepts
from marketplace.services import manage_taxonomy

PARTICIPATION = Concept(
    "challenge",
    "democratic-engagement",
    "New democratic engagement tools",
    ("take part", "have a say", "consultation"),
)
DESTINATION = Concept(
    "challenge",
    "smart-destination",
    "Smart destination management",
    ("old town", "historic centre"),
)
INCLUSION = Concept(
    "challenge", "transition-skills", "Reskilling", ("refugees", "displaced people", "newcomers")
)
SEASONS = Concept("challenge", "diversifying-offer", "Diversifying the offer", ("off-season",))
BUSES = Concept("challenge", "congestion", "Congestion", ("buses", "empty buses off-peak"))
TOURISM = Concept("track", "tourism", "Tourism", ("tourists",))
FINANCE = Concept("service", "access-to-finance", "Access to finance", ("EU funds",))

VOCABULARY = Concepts([PARTICIPATION, DESTINATION, INCLUSION, SEASONS, BUSES, TOURISM, FINANCE])


def named(text: str, vocabulary: Concepts = VOCABULARY) -> list[tuple[str, str]]:
    return [(concept.value, phrase) for concept, phrase in vocabulary.match(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How can residents take part in decisions?", [("democratic-engagement", "take part")]),
        ("a refugee looking for work", [("transition-skills", "refugees")]),
        ("Refugees need jobs", [("transition-skills", "refugees")]),
        ("crowds in our old towns", [("smart-destination", "old town")]),
        ("OLD TOWN", [("smart-destination", "old town")]),
        ("consultations online", [("democratic-engagement", "consultation")]),
        ("Displaced people and newcomers", [("transition-skills", "displaced people")]),
    ],
)
def test_a_phrase_matches_in_any_number_and_letter_case(text, expected):
    assert named(text) == expected


def test_accents_are_folded_on_both_sides():
    accented = Concepts([Concept("challenge", "centre", "Centre", ("café culture",))])
    assert named("cafe culture in winter", accented) == [("centre", "café culture")]
    assert named("Café Culture", accented) == [("centre", "café culture")]


def test_a_phrase_matches_only_as_consecutive_words():
    assert named("we take the tram and part of the route") == []
    assert named("the town is old") == []
    # Stop words between are not words of the analysed text: "take a part" is "take part".
    assert named("take a part") == [("democratic-engagement", "take part")]


def test_the_term_s_own_name_is_a_phrase_too():
    assert named("smart destination management for the coast") == [
        ("smart-destination", "Smart destination management")
    ]


def test_the_longest_of_overlapping_phrases_wins():
    assert named("our empty buses off-peak") == [("congestion", "empty buses off-peak")]
    nested = Concepts(
        [
            Concept("challenge", "last-mile", "Last mile", ("delivery vans",)),
            Concept("challenge", "lez", "Low-emission zones", ("electric delivery vans",)),
        ]
    )
    assert named("electric delivery vans in the centre", nested) == [
        ("lez", "electric delivery vans")
    ]
    assert named("delivery vans block the street", nested) == [("last-mile", "delivery vans")]


def test_overlapping_phrases_of_different_lengths_keep_the_longer_one_wherever_it_starts():
    crossing = Concepts(
        [
            Concept("challenge", "a", "A", ("old town",)),
            Concept("challenge", "b", "B", ("town centre car parks",)),
        ]
    )
    assert named("old town centre car parks", crossing) == [("b", "town centre car parks")]


def test_one_phrase_of_several_terms_names_each_of_them():
    shared = Concepts(
        [
            Concept("challenge", "green-smes", "Green SMEs", ("SMEs",)),
            Concept("challenge", "tourism-smes", "Tourism SMEs", ("SMEs",)),
        ]
    )
    assert named("help for SMEs", shared) == [("green-smes", "SMEs"), ("tourism-smes", "SMEs")]


def test_each_concept_is_named_once_in_the_order_of_the_text():
    found = named("EU funds for tourists in the off-season, then tourists again and EU funds")
    assert found == [
        ("access-to-finance", "EU funds"),
        ("tourism", "tourists"),
        ("diversifying-offer", "off-season"),
    ]


def test_concepts_of_each_kind_carry_their_facet_and_value():
    facets = {(c.facet, c.value) for c, _ in VOCABULARY.match("tourists and EU funds")}
    assert facets == {("track", "tourism"), ("service", "access-to-finance")}


@pytest.mark.parametrize("text", ["", "   ", "the and of", "!!!", "zzz qqq"])
def test_nothing_is_named_by_empty_or_unrelated_text(text):
    assert VOCABULARY.match(text) == []


def test_a_phrase_of_stop_words_only_never_matches():
    stop_words = Concepts([Concept("challenge", "x", "The", ("and the", "of", "at the"))])
    assert named("the and of at the", stop_words) == []


def test_analysed_terms_can_be_matched_directly():
    assert [c.value for c, _ in VOCABULARY.match_terms(["old", "town"])] == ["smart-destination"]
    assert VOCABULARY.match_terms([]) == []


def test_the_matcher_lists_its_concepts():
    assert len(VOCABULARY) == 7
    assert PARTICIPATION in list(VOCABULARY)


# Loading from the database


@pytest.fixture
def vocabulary(curator, taxonomy):
    """The test taxonomy with a few phrases, written as a curator would."""
    manage_taxonomy.save(curator, "challenges", "last-mile", "Last mile", None, "cargo bikes")
    manage_taxonomy.save(curator, "services", "open-data", "Open data platforms", None, "API")
    return taxonomy


def values(text: str) -> list[str]:
    return [concept.value for concept, _ in concepts.current().match(text)]


def test_the_loader_reads_every_term_offered_with_its_phrases(vocabulary):
    found = {(c.facet, c.value): c for c in concepts.current()}
    assert set(found) == {
        ("track", "green"),
        ("track", "mobility"),
        ("challenge", "retrofit"),
        ("challenge", "smes"),
        ("challenge", "last-mile"),
        ("challenge", "congestion"),
        ("service", "open-data"),
    }
    assert found[("challenge", "last-mile")].phrases == ("cargo bikes",)
    assert found[("service", "open-data")].label == "Open data platforms"
    assert values("an API for cargo bikes") == ["open-data", "last-mile"]


def test_the_matcher_is_built_once_while_nothing_changes(vocabulary):
    assert concepts.current() is concepts.current()


def test_a_curator_s_edit_reaches_the_matcher_without_a_restart(curator, vocabulary):
    before = concepts.current()
    assert values("parcel lockers") == []
    manage_taxonomy.save(
        curator, "challenges", "last-mile", "Last mile", None, "parcel lockers\ncargo bikes"
    )
    assert values("parcel lockers") == ["last-mile"]
    assert concepts.current() is not before
    manage_taxonomy.save(curator, "challenges", "last-mile", "Last mile", None, "parcel lockers")
    assert values("cargo bikes") == []


def test_a_rename_reaches_the_matcher(curator, vocabulary):
    concepts.current()
    manage_taxonomy.rename(curator, "challenges", "congestion", "Traffic jams")
    assert values("traffic jams at rush hour") == ["congestion"]
    assert values("congestion") == []


def test_retired_terms_and_the_challenges_of_retired_tracks_are_left_out(curator, vocabulary):
    assert values("cargo bikes and green SMEs") == ["last-mile", "smes"]
    manage_taxonomy.set_retired(curator, "challenges", "smes", True)
    assert values("cargo bikes and green SMEs") == ["last-mile"]
    manage_taxonomy.set_retired(curator, "tracks", "mobility", True)
    assert values("cargo bikes") == []
    manage_taxonomy.set_retired(curator, "tracks", "mobility", False)
    assert values("cargo bikes") == ["last-mile"]


def test_terms_and_phrases_written_without_the_services_are_seen_too(curator, vocabulary):
    """The stamp also counts rows, so an import that forgets the revision is still picked up."""
    concepts.current()
    db.session.add(
        TaxonomyPhrase(
            kind="challenge",
            term_id=vocabulary["challenges"]["retrofit"].id,
            language="en",
            phrase="insulation",
        )
    )
    db.session.commit()
    assert values("loft insulation") == ["retrofit"]


def test_each_app_keeps_its_own_matcher(vocabulary, tmp_path):
    """Two apps in one process (two databases) never share a matcher."""
    assert values("cargo bikes") == ["last-mile"]
    other = create_app({"TESTING": True, "SECRET_KEY": "x", "DATA_DIR": str(tmp_path / "other")})
    with other.app_context():
        db.create_all()
        assert list(concepts.current()) == []
        db.engine.dispose()
