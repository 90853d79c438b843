"""An entry in the reader's language when its city wrote one, the original one click away."""

import pytest
from page_reader import main, parse

from marketplace.models import SolutionTranslation


@pytest.fixture
def entry(make_solution, make_city):
    return make_solution(
        slug="bicing",
        city=make_city(slug="alcobendas", name="Alcobendas", country="ES"),
        language="es",
        title="Préstamo de bicicletas eléctricas",
        summary="Bicicletas eléctricas compartidas para ir al trabajo.",
        description="Una **descripción** en español.",
        translations=[
            SolutionTranslation(
                language="en",
                title="Electric bike sharing",
                summary="Shared electric bikes for commuting.",
                description="A **description** in English.",
            )
        ],
    )


def test_the_reader_s_language_is_shown_when_the_city_translated_it(client, entry):
    page = parse(client.get("/solutions/bicing"))
    assert page.find("h1").text == "Electric bike sharing"
    assert page.find("h1")["lang"] == "en"
    text = main(client.get("/solutions/bicing")).text
    assert "You are reading the English translation written by Alcobendas." in text
    assert "A description in English." in text
    [link] = [a for a in page.find_all("a") if a.attrs.get("hreflang") == "es"]
    assert link.text == "Español"
    assert link["href"] == "/solutions/bicing?version=es"


def test_the_original_is_one_click_away(client, entry):
    page = parse(client.get("/solutions/bicing?version=es"))
    assert page.find("h1").text == "Préstamo de bicicletas eléctricas"
    assert page.find("h1")["lang"] == "es"
    assert "Written in Spanish by Alcobendas." in page.text
    assert page.find("title").text.startswith("Préstamo de bicicletas eléctricas")


def test_a_spanish_reader_gets_the_original_and_a_link_to_the_english(client, entry):
    page = parse(client.get("/solutions/bicing", headers={"Accept-Language": "es"}))
    assert page.find("h1").text == "Préstamo de bicicletas eléctricas"
    assert [a["href"] for a in page.find_all("a") if a.attrs.get("hreflang") == "en"] == [
        "/solutions/bicing?version=en"
    ]


def test_a_version_the_entry_lacks_falls_back_to_the_reader_s_language(client, entry):
    page = parse(client.get("/solutions/bicing?version=fi"))
    assert page.find("h1").text == "Electric bike sharing"


def test_an_untranslated_entry_says_the_language_it_is_written_in(client, make_solution):
    make_solution(slug="kiosk", language="fi", title="Kirjaston palvelupiste")
    assert "Written in Finnish by" in main(client.get("/solutions/kiosk")).text
    assert "Written in" not in main(client.get("/solutions/kiosk?lang=en")).text.split("Finnish")[1]


def test_cards_show_the_reader_s_version(client, entry):
    page = parse(client.get("/cities/alcobendas"))
    [title] = page.find_all("h3", class_="card-title") or page.find_all("h2", class_="card-title")
    assert title.text == "Electric bike sharing"
    assert title["lang"] == "en"
    page = parse(client.get("/cities/alcobendas?lang=es"))
    assert "Préstamo de bicicletas eléctricas" in page.text


def test_title_suggestions_read_in_the_visitor_s_language(client, entry, build_index):
    build_index()
    [found] = client.get("/search/suggest?q=electric+bi").get_json()
    assert found["title"] == "Electric bike sharing"
    [found] = client.get("/search/suggest?q=electric+bi&lang=es").get_json()
    assert found["title"] == "Préstamo de bicicletas eléctricas"
    [found] = client.get("/search/suggest?q=prestamo", headers={"Accept-Language": "en"}).get_json()
    assert found["title"] == "Electric bike sharing"
