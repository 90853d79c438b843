"""The words people use for taxonomy terms: the curators' rules, saving, the seed, upgrading."""

import tomllib
from importlib import resources

import pytest
from sqlalchemy import delete, select

from marketplace.extensions import db
from marketplace.models import AuditEvent, Challenge, TaxonomyPhrase, Track, VocabularyRevision
from marketplace.search.query import analyse
from marketplace.services import demo, manage_taxonomy, phrases
from marketplace.services.errors import PermissionDenied, ValidationFailed

SEED = tomllib.loads((resources.files("marketplace") / "seed" / "taxonomy.toml").read_text())


def seed_terms():
    for track in SEED["tracks"]:
        yield track
        yield from track["challenges"]
    yield from SEED["services"]


def revision() -> int:
    return db.session.scalar(select(VocabularyRevision.revision)) or 0


def listed(slug: str) -> list[str]:
    db.session.expire_all()
    return phrases.of(db.session.scalar(select(Challenge).where(Challenge.slug == slug)))


def save(user, words: str, slug: str = "retrofit", name: str = "Retrofitting buildings"):
    return manage_taxonomy.save(user, "challenges", slug, name, None, words)


# The curators' rules


def test_a_list_is_cleaned_one_phrase_a_line():
    text = "  heat   pumps \n\n Insulation\ninsulation\nHEAT PUMPS\r\n  \nPV"
    assert phrases.clean(text) == ["heat pumps", "Insulation", "PV"]
    assert phrases.clean("") == phrases.clean(None) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x", "“x” is too short"),
        ("ok\n" + "y" * 61, "is too long: keep each phrase to 60 characters"),
        ("the and of", "holds only words search leaves out"),
        ("\n".join(f"phrase {n}" for n in range(31)), r"Keep the list to 30 phrases \(it has 31\)"),
    ],
)
def test_a_bad_list_is_refused_with_a_reason(text, message):
    with pytest.raises(ValidationFailed, match=message) as refused:
        phrases.clean(text)
    assert refused.value.field == "phrases"


def test_thirty_phrases_of_sixty_characters_are_fine():
    words = [f"{n:02d} " + "w" * 57 for n in range(30)]
    assert phrases.clean("\n".join(words)) == words


# Saving a list


def test_a_curator_saves_a_list_and_the_audit_log_says_what_changed(curator, taxonomy):
    saved = save(curator, "heat pumps\ninsulation")
    assert saved == manage_taxonomy.Saved(renamed=False, phrases=True)
    assert listed("retrofit") == ["heat pumps", "insulation"]
    save(curator, "insulation\nsolar panels")
    assert listed("retrofit") == ["insulation", "solar panels"]
    details = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "taxonomy.phrases")
    )
    assert list(details) == [
        "added: heat pumps, insulation",
        "added: solar panels; removed: heat pumps",
    ]


def test_saving_the_same_list_changes_nothing(curator, taxonomy):
    save(curator, "heat pumps\ninsulation")
    before = revision()
    assert save(curator, "heat pumps\n insulation \n") == manage_taxonomy.Saved(False, False)
    assert revision() == before


def test_a_new_order_or_letter_case_is_saved(curator, taxonomy):
    save(curator, "heat pumps\npv")
    assert save(curator, "PV\nheat pumps").phrases
    assert listed("retrofit") == ["PV", "heat pumps"]


def test_a_refused_phrase_saves_nothing_not_even_the_name(curator, taxonomy):
    save(curator, "heat pumps")
    with pytest.raises(ValidationFailed):
        save(curator, "insulation\nx", name="Renovation")
    assert listed("retrofit") == ["heat pumps"]
    assert db.session.scalar(select(Challenge.name).where(Challenge.slug == "retrofit")) == (
        "Retrofitting buildings"
    )


def test_no_words_given_leaves_the_list_alone(curator, taxonomy):
    save(curator, "heat pumps")
    manage_taxonomy.save(curator, "challenges", "retrofit", "Renovation", None, None)
    assert listed("retrofit") == ["heat pumps"]


def test_only_curators_edit_lists(publisher, taxonomy):
    with pytest.raises(PermissionDenied):
        save(publisher, "heat pumps")
    assert listed("retrofit") == []


def test_new_terms_take_their_phrases(curator, taxonomy):
    track = manage_taxonomy.create_track(curator, "Water", "2024", "", "drought\nleaks")
    challenge = manage_taxonomy.create_challenge(curator, "Leaks", "green", "burst pipes")
    service = manage_taxonomy.create_service(curator, "Insurance", "", "")
    assert phrases.of(track) == ["drought", "leaks"]
    assert phrases.of(challenge) == ["burst pipes"]
    assert phrases.of(service) == []
    with pytest.raises(ValidationFailed):
        manage_taxonomy.create_service(curator, "Sewers", "", "a")
    assert db.session.scalar(select(Track.id).where(Track.slug == "sewers")) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda user: manage_taxonomy.rename(user, "challenges", "retrofit", "Renovation"),
        lambda user: manage_taxonomy.set_retired(user, "challenges", "retrofit", True),
        lambda user: manage_taxonomy.create_service(user, "Insurance"),
        lambda user: save(user, "heat pumps"),
    ],
    ids=["rename", "retire", "create", "phrases"],
)
def test_every_change_search_matches_by_bumps_the_revision(curator, taxonomy, change):
    before = revision()
    change(curator)
    assert revision() == before + 1


def test_moving_a_term_leaves_the_revision(curator, taxonomy):
    before = revision()
    manage_taxonomy.move(curator, "challenges", "smes", "up")
    assert revision() == before


# The seed


@pytest.mark.parametrize("term", list(seed_terms()), ids=lambda term: term["slug"])
def test_every_seed_term_has_four_to_ten_english_phrases_by_the_curators_rules(term):
    words = term["phrases"]["en"]
    assert 4 <= len(words) <= 10
    assert phrases.clean("\n".join(words)) == words  # no repeats, no bad lengths, none empty


def test_seed_phrases_name_one_term_each_and_avoid_words_that_fit_everything():
    owners: dict[tuple[str, ...], str] = {}
    for term in seed_terms():
        for phrase in term["phrases"]["en"]:
            terms = tuple(analyse(phrase))
            assert terms not in owners, f"{phrase!r}: {owners.get(terms)} and {term['slug']}"
            owners[terms] = term["slug"]
    generic = {(word,) for word in analyse("city cities digital project service data")}
    assert not generic & set(owners)


def test_the_demo_seed_loads_the_phrases_once(app, ctx):
    report = demo.seed_demo()
    assert report.created["phrases"] == sum(len(t["phrases"]["en"]) for t in seed_terms())
    assert "phrases" not in demo.seed_demo().created
    assert listed("smart-destination")[:2] == ["historic centre", "old town"]


def test_loading_the_seed_again_respects_the_curators_edits(app, ctx, curator):
    demo.seed_demo()
    words = listed("smart-destination")
    manage_taxonomy.save(
        curator,
        "challenges",
        "smart-destination",
        "Smart destination management",
        None,
        "\n".join(["Old Town", "cruise ships", *words[2:]]),  # one recased, one removed, one new
    )
    assert demo.load_phrases() == 0
    assert listed("smart-destination") == ["Old Town", "cruise ships", *words[2:]]


def test_an_older_database_gets_the_seed_phrases_and_a_newer_seed_adds_its_new_ones(app, ctx):
    demo.seed_demo()
    db.session.execute(delete(TaxonomyPhrase))  # as before the phrases existed
    db.session.commit()
    assert demo.load_phrases() == sum(len(t["phrases"]["en"]) for t in seed_terms())
    db.session.execute(delete(TaxonomyPhrase).where(TaxonomyPhrase.phrase == "winter"))
    db.session.commit()
    assert demo.load_phrases() == 1
    assert "winter" in listed("diversifying-offer")
