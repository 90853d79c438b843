"""The words people use for taxonomy terms: the curators' rules, saving, the seed, upgrading."""

import tomllib
from importlib import resources

import pytest
from sqlalchemy import delete, select

from marketplace.extensions import db
from marketplace.models import (
    SDG,
    AuditEvent,
    Challenge,
    TaxonomyPhrase,
    Track,
    TransversalService,
    VocabularyRevision,
)
from marketplace.search.query import analyse
from marketplace.services import demo, manage_taxonomy, phrases
from marketplace.services.errors import PermissionDenied, ValidationFailed

SEED = tomllib.loads((resources.files("marketplace") / "seed" / "taxonomy.toml").read_text())
OTHER_LANGUAGES = ("fr", "de", "es", "it", "pt")  # the interface's, besides English
# Words that would connect everything, in each interface language ("city", "digital", ...).
GENERIC = (
    "city cities digital project service data "
    "ville villes numérique projet service données "
    "Stadt Städte digital digitale Projekt Dienst Daten "
    "ciudad ciudades digital proyecto servicio datos ayuntamiento "
    "città digitale progetto servizio dati comune "
    "cidade cidades digital projeto serviço dados município"
)


def seed_terms():
    for track in SEED["tracks"]:
        yield track
        yield from track["challenges"]
    yield from SEED["services"]


def seed_phrase_count() -> int:
    return sum(len(words) for t in seed_terms() for words in t["phrases"].values())


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


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
@pytest.mark.parametrize("term", list(seed_terms()), ids=lambda term: term["slug"])
def test_every_seed_term_has_its_name_and_five_to_ten_phrases_in_each_language(term, language):
    assert term["names"][language].strip()
    assert term["names"][language] != term["name"], "not translated"
    words = term["phrases"][language]
    assert 5 <= len(words) <= 10
    assert phrases.clean("\n".join(words)) == words


def test_tracks_and_services_have_their_description_in_each_language():
    described = [*SEED["tracks"], *SEED["services"]]
    for term in described:
        assert set(term["descriptions"]) == set(OTHER_LANGUAGES), term["slug"]
        assert all(text.strip() for text in term["descriptions"].values()), term["slug"]
    for term in [challenge for track in SEED["tracks"] for challenge in track["challenges"]]:
        assert "descriptions" not in term, "challenges have no description to translate"


def test_every_sdg_has_its_name_in_each_language():
    assert [sdg["number"] for sdg in SEED["sdgs"]] == list(range(1, 18))
    for sdg in SEED["sdgs"]:
        assert set(sdg["names"]) == set(OTHER_LANGUAGES), sdg["number"]
    assert SEED["sdgs"][12]["names"]["es"] == "Acción por el clima"


def test_seed_phrases_name_one_term_each_and_avoid_words_that_fit_everything():
    """In every language together: search matches a phrase whatever language it was seeded in."""
    owners: dict[tuple[str, ...], str] = {}
    for term in seed_terms():
        for language, words in term["phrases"].items():
            for phrase in words:
                terms = tuple(analyse(phrase))
                owner = owners.setdefault(terms, term["slug"])
                assert owner == term["slug"], f"{phrase!r} ({language}): {owner} and {term['slug']}"
    generic = {(word,) for word in analyse(GENERIC)}
    assert not generic & set(owners)


def test_the_demo_seed_loads_the_phrases_and_names_of_every_language_once(app, ctx):
    report = demo.seed_demo()
    assert report.created["phrases"] == seed_phrase_count()
    assert "phrases" not in demo.seed_demo().created
    assert listed("smart-destination")[:2] == ["historic centre", "old town"]
    challenge = db.session.scalar(select(Challenge).where(Challenge.slug == "smart-destination"))
    assert phrases.of(challenge, "it")[:2] == ["centro storico", "flussi turistici"]
    assert phrases.of(challenge, "de")[0] == "Altstadt"
    assert challenge.labels["fr"] == "Gestion intelligente de la destination"
    service = db.session.scalar(
        select(TransversalService).where(TransversalService.slug == "public-procurement")
    )
    assert service.labels["it"] == "Appalti pubblici innovativi e sociali"
    assert service.descriptions["es"].startswith("Comprar innovación")
    track = db.session.scalar(select(Track).where(Track.slug == "upskilling"))
    assert set(track.labels) == set(track.descriptions) == set(OTHER_LANGUAGES)
    assert db.session.get(SDG, 13).labels["de"] == "Maßnahmen zum Klimaschutz"
    assert db.session.get(SDG, 13).name == "Climate action"  # the English one stays


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
    assert demo.load_phrases() == seed_phrase_count()
    db.session.execute(delete(TaxonomyPhrase).where(TaxonomyPhrase.phrase == "winter"))
    db.session.execute(delete(TaxonomyPhrase).where(TaxonomyPhrase.phrase == "inverno"))
    db.session.commit()
    assert demo.load_phrases() == 3  # "inverno" is seeded in Italian and in Portuguese
    assert "winter" in listed("diversifying-offer")
    challenge = db.session.scalar(select(Challenge).where(Challenge.slug == "diversifying-offer"))
    assert "inverno" in phrases.of(challenge, "pt")


def test_loading_the_seed_fills_the_names_and_descriptions_a_term_lacks_and_keeps_the_rest(
    app, ctx
):
    demo.seed_demo()
    track = db.session.scalar(select(Track).where(Track.slug == "tourism"))
    sdg = db.session.get(SDG, 4)
    track.labels = {"fr": "Tourisme vert et numérique", "de": ""}  # a curator's; one emptied
    track.descriptions = {}  # as before issue 11
    sdg.labels = {}
    db.session.commit()
    before = revision()
    assert demo.load_phrases() == 0  # no phrase was missing
    db.session.expire_all()
    track = db.session.scalar(select(Track).where(Track.slug == "tourism"))
    assert track.labels["fr"] == "Tourisme vert et numérique"
    assert track.labels["de"] == "Grüner und digitaler Wandel im Tourismus"
    assert set(track.labels) == set(track.descriptions) == set(OTHER_LANGUAGES)
    assert track.descriptions["pt"].startswith("Um turismo que recupera")
    assert db.session.get(SDG, 4).labels["it"] == "Istruzione di qualità"
    assert revision() == before + 1  # search may match terms by their names in any language
    demo.load_phrases()
    assert revision() == before + 1  # nothing changed the second time
