"""Search in every language: each version analysed in its own, queries read in theirs."""

import pytest

from marketplace import search
from marketplace.extensions import db
from marketplace.models import SolutionTranslation, TaxonomyPhrase
from marketplace.search import SearchRequest, live
from marketplace.search.languages import (
    VERSION_GAP,
    MultilingualAnalyzer,
    analyse,
    detect,
    mark,
    query_languages,
)
from marketplace.search.query import alternatives, parse
from marketplace.services import versions as versions_shown


@pytest.mark.parametrize(
    ("language", "one", "other"),
    [("es", "aumentaron", "aumentar"), ("es", "tiendas", "tienda"),
     ("pt", "gestão", "gestao"), ("pt", "cidades", "cidade"),
     ("it", "scuole", "scuola"), ("it", "innovativi", "innovativo"),
     ("de", "Stadtverwaltungen", "Stadtverwaltung"), ("de", "Fachkräfte", "fachkrafte"),
     ("fr", "mobilité", "mobilite"), ("fr", "Données", "donnees")],
)  # fmt: skip
def test_each_language_meets_its_own_inflections_and_accents(language, one, other):
    assert analyse(one, language) == analyse(other, language)


def test_snowball_leaves_compounds_whole_and_stems_their_ending():
    # Snowball does not split compounds: a compound meets its own inflections, not its parts.
    assert analyse("Fachkräftemangels", "de") == analyse("Fachkräftemangel", "de")
    assert analyse("Fachkräftemangel", "de") != analyse("Mangel", "de")
    assert analyse("teleriscaldamento", "it") == analyse("teleriscaldamenti", "it")


def test_stop_words_are_each_language_s_and_acronyms_stay_words():
    assert analyse("plan de movilidad", "es") == ["plan", "movil"]
    assert analyse("delle scuole", "it") == ["scuol"]
    assert analyse("empleo en IT", "es") == ["emple", "it"]
    assert analyse("jobs in IT") == ["job", "it"]  # English keeps its own analyser
    assert analyse("Ψηφιακή πόλη", "el") == ["ψηφιακη", "πολη"]  # plain: folded, not stemmed


def test_the_field_analyser_reads_each_marked_version_in_its_language():
    value = "\n".join([mark("en", "Retrofitting schools"), mark("es", "aumentaron las tiendas")])
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in MultilingualAnalyzer()(value, positions=True, chars=True)
    ]
    assert [text for text, *_ in tokens] == ["retrofit", "school", "aument", "tiend"]
    assert tokens[2][1] >= tokens[1][1] + VERSION_GAP  # no phrase across two versions
    assert value[tokens[2][2] : tokens[2][3]] == "aumentaron"
    assert [t.text for t in MultilingualAnalyzer()("unmarked buses")] == ["unmark", "bus"]


@pytest.mark.parametrize(
    ("text", "language"),
    [("delle scuole", "it"), ("aumentaron", "es"), ("ayudar a las pequeñas tiendas", "es"),
     ("dados abertos", "pt"), ("Fachkräftemangel in der Pflege", "de"),
     ("mobilité douce en ville", "fr"), ("how can we reduce traffic in the old town", "en")],
)  # fmt: skip
def test_a_query_s_language_is_detected(text, language):
    assert detect(text)[0] == language


def test_an_english_question_stays_english():
    # How long detection takes is for bench/, never a timing assertion in a test.
    texts = [f"heat pumps for {n} schools in winter" for n in range(300)]
    found = [detect(text) for text in texts]
    assert set(found) == {("en",)}
    assert query_languages("heat pumps for schools", "en") == ("en",)
    assert query_languages("delle scuole", "fr") == ("it", "fr", "en")
    # Only among the languages asked: a language no entry is written in reads nothing.
    assert "no" not in detect("opne data", frozenset({"en", "fr", "de", "es", "it", "pt"}))


def test_a_word_read_differently_by_two_languages_is_one_word():
    parsed = parse("aumentaron paneles paneles", ("es", "en"))
    assert list(parsed.words) == [("aument", "aumentaron"), "panel"]
    assert parsed.words[("aument", "aumentaron")] == parse("bus", ("en",)).words["bus"] == 1.0
    assert parsed.words["panel"] > 1.0  # typed twice
    assert parse("plan de movilidad", ("es", "en")).words.keys() == {"plan", ("movil", "movilidad")}


@pytest.fixture
def versions(make_solution):
    """An entry written in Spanish with English and Italian versions, and two others."""
    entry = make_solution(
        language="es",
        title="Paneles solares en las escuelas",
        summary="Las facturas de energía aumentaron; instalar paneles las bajó.",
        translations=[
            SolutionTranslation(
                language="en",
                title="Solar panels on schools",
                summary="Energy bills rose; installing panels brought them down.",
            ),
            SolutionTranslation(
                language="it",
                title="Pannelli solari nelle scuole",
                summary="Le bollette delle scuole sono diminuite con i pannelli.",
            ),
        ],
    )
    other = make_solution(title="Delay repay for late buses", summary="Install kiosks to scale.")
    make_solution(title="Bike lanes", summary="Protected lanes across the city.")
    search.rebuild()
    return entry, other


@pytest.mark.parametrize(
    ("text", "language"),
    [("aumentar facturas", "es"), ("aumentaron", "en"), ("solar panels bills", "en"),
     ("scuola pannello", "it"), ("pannelli solari", "en"), ("PANELES", "es")],
)  # fmt: skip
def test_an_entry_is_found_through_each_version_and_listed_once(versions, text, language):
    entry, _ = versions
    outcome = search.run(SearchRequest(text=text, language=language, per_page=50))
    assert [hit.id for hit in outcome.hits] == [entry.id]
    assert outcome.total == 1
    assert outcome.counts["kind"] == {"solution": 1}


def test_phrases_and_exclusions_work_in_each_language(versions):
    entry, other = versions
    assert [h.id for h in search.run(SearchRequest(text='"paneles solares"')).hits] == [entry.id]
    assert search.run(SearchRequest(text='"solares pannelli"')).total == 0  # not across versions
    assert search.run(SearchRequest(text="paneles -scuola", language="it")).total == 0
    found = search.run(SearchRequest(text="install -pannelli", language="it"))
    assert [hit.id for hit in found.hits] == [other.id]


@pytest.mark.parametrize(
    ("typed", "language"),
    [("instalar", "en"), ("delle", "en"), ("scuole", "en"), ("delle scuole", "it"),
     ("instalar paneles", "es")],
)  # fmt: skip
def test_a_correct_word_of_the_query_s_language_is_never_replaced_by_an_english_one(
    versions, typed, language
):
    # The catalogue holds "install", "delay" and "scale": each within two edits.
    outcome = search.run(SearchRequest(text=typed, language=language, exact=True))
    assert outcome.suggestion is None


def test_a_typo_is_corrected_with_a_word_of_the_query_s_language(versions):
    outcome = search.run(SearchRequest(text="facturas paneels", language="es", exact=True))
    assert outcome.suggestion == "facturas paneles"
    outcome = search.run(SearchRequest(text="the bills of the pannels", exact=True))
    assert outcome.suggestion == "the bills of the panels"


def test_snippets_come_from_the_version_shown(versions):
    entry, _ = versions
    outcome = search.run(SearchRequest(text="facturas aumentaron", language="es"))
    assert outcome.hits[0].id == entry.id
    terms = outcome.parsed.terms()
    spanish = search.snippet([entry.summary], terms, "es")
    assert "<mark>facturas</mark>" in spanish
    assert "<mark>aumentaron</mark>" in spanish
    version = versions_shown.shown_for([entry], "it")[entry.id]
    assert (version.language, version.title) == ("it", "Pannelli solari nelle scuole")
    assert versions_shown.shown_for([entry], "de")[entry.id].language == "es"  # the original


def test_the_vocabulary_bridges_languages(make_solution, taxonomy):
    mobility = taxonomy["tracks"][1]
    service = taxonomy["service"]
    service.labels = {"pt": "Dados abertos"}
    db.session.add_all(
        [
            TaxonomyPhrase(kind="track", term_id=mobility.id, language="es",
                           phrase="movilidad urbana"),
            TaxonomyPhrase(kind="track", term_id=mobility.id, language="it",
                           phrase="mobilità urbana"),
            TaxonomyPhrase(kind="track", term_id=mobility.id, language="de",
                           phrase="städtische Verkehrswende"),
        ]
    )  # fmt: skip
    db.session.commit()
    german = make_solution(
        language="de",
        title="Lastenräder für die Innenstadt",
        summary="Pakete mit dem Rad zustellen.",
        challenges=[taxonomy["challenges"]["last-mile"]],
    )
    finnish = make_solution(
        language="fi", title="Avoin data", summary="Kaupungin tiedot verkossa.", services=[service]
    )
    make_solution(title="Retrofitting homes", summary="Insulation grants.")
    search.rebuild()
    for text, language in [("movilidad urbana", "es"), ("Mobilità urbane", "it"),
                           ("städtischen Verkehrswende", "en")]:  # fmt: skip
        outcome = search.run(SearchRequest(text=text, language=language))
        assert [hit.id for hit in outcome.hits] == [german.id], text
        assert [c.value for c, _ in outcome.concepts] == ["mobility"]
    outcome = search.run(SearchRequest(text="dados abertos", language="pt"))
    assert [hit.id for hit in outcome.hits] == [finnish.id]


def test_a_generation_knows_its_versions_languages(versions):
    assert {"es", "en", "it", "fr", "de", "pt"} <= live.generation().languages


def test_every_analysis_of_a_query_word_is_a_term_search_knows(versions):
    parsed = parse("aumentaron", query_languages("aumentaron", "en"))
    [word] = parsed.words
    assert "aument" in alternatives(word)


def test_a_translated_entry_is_not_pushed_down_by_its_other_versions(make_solution):
    spanish = {"title": "Paneles solares", "summary": "Paneles en las escuelas del barrio."}
    alone = make_solution(language="es", **spanish)
    translated = make_solution(
        language="es",
        **spanish,
        translations=[
            SolutionTranslation(language="en", title="Solar panels on schools in the district",
                                summary="Panels on the district's schools, paid by the city."),
            SolutionTranslation(language="it", title="Pannelli solari nelle scuole del quartiere",
                                summary="Pannelli sulle scuole del quartiere, pagati dal comune."),
        ],
    )  # fmt: skip
    for n in range(4):
        make_solution(title=f"Bike lanes {n}", summary="Protected lanes across the city.")
    search.rebuild()
    hits = search.run(SearchRequest(text="paneles solares", language="es")).hits
    scores = {hit.id: hit.score for hit in hits}
    assert scores[translated.id] == pytest.approx(scores[alone.id], rel=0.15)


@pytest.mark.parametrize("text", ["jeden", "de", "la", "und", "och", "og", "il", "die"])
def test_a_question_of_a_catalogue_language_s_stop_words_lists_newest_first(versions, text):
    # "jeden" is a Slovak, Czech and Polish word, and a German stop word: among the catalogue's
    # languages it is German, and a search for it lists every entry, newest first.
    for language in ("en", "es", "de", "it"):
        outcome = search.run(SearchRequest(text=text, language=language))
        assert outcome.total >= 0
    assert search.run(SearchRequest(text="jeden")).total == 3
