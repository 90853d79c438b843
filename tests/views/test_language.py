"""Which language a page is read in: ?lang, the account, the menu's cookie, Accept-Language."""

import pytest

from marketplace.extensions import db
from marketplace.models import User


def html_lang(response) -> str:
    text = response.get_data(as_text=True)
    start = text.index('<html lang="') + len('<html lang="')
    return text[start : text.index('"', start)]


def test_english_without_any_signal(client):
    assert html_lang(client.get("/")) == "en"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("it-IT,it;q=0.9,en;q=0.5", "it"),
        ("de-AT", "de"),
        ("pt-BR,pt;q=0.8", "pt"),
        ("nl-NL,fr;q=0.7", "fr"),
        ("el-GR", "en"),
        ("not a header", "en"),
    ],
)
def test_accept_language_when_nothing_was_chosen(client, header, expected):
    assert html_lang(client.get("/", headers={"Accept-Language": header})) == expected


def test_a_link_s_lang_wins_over_the_browser_and_the_cookie(client):
    client.set_cookie("lang", "fr")
    response = client.get("/?lang=es", headers={"Accept-Language": "de"})
    assert html_lang(response) == "es"


def test_an_unknown_lang_is_ignored(client):
    assert html_lang(client.get("/?lang=xx", headers={"Accept-Language": "it"})) == "it"


def test_the_menu_keeps_the_choice_in_a_cookie_and_goes_back(client):
    response = client.post("/language", data={"language": "de", "next": "/solutions?q=bus"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/solutions?q=bus"
    cookie = client.get_cookie("lang")
    assert cookie.value == "de"
    assert cookie.http_only
    assert html_lang(client.get("/", headers={"Accept-Language": "it"})) == "de"


def test_the_menu_drops_a_lang_the_page_was_opened_with(client):
    response = client.post("/language", data={"language": "pt", "next": "/solutions?lang=it&q=x"})
    assert response.headers["Location"] == "/solutions?q=x"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "", "javascript:x"]
)
def test_the_menu_never_sends_anyone_off_site(client, target):
    response = client.post("/language", data={"language": "fr", "next": target})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("language", ["", "xx", "el"])
def test_the_menu_refuses_a_language_it_does_not_offer(client, language):
    assert client.post("/language", data={"language": language}).status_code == 400


def test_a_signed_in_choice_is_kept_on_the_account(app, client, auth, publisher, password):
    auth.sign_in(publisher)
    client.post("/language", data={"language": "it", "next": "/"})
    with app.app_context():
        assert db.session.get(User, publisher.id).language == "it"

    other_device = app.test_client()
    other_device.post("/login", data={"email": "pub@porto.example", "password": password})
    assert html_lang(other_device.get("/", headers={"Accept-Language": "fr"})) == "it"


def test_every_page_offers_the_menu_and_says_its_language(client):
    page = client.get("/solutions", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert 'action="/language"' in page
    assert '<option value="fr" lang="fr" selected>Français</option>' in page
    assert '<option value="de" lang="de">Deutsch</option>' in page


def test_the_canonical_address_keeps_lang_only_when_a_link_chose_it(client):
    shared = client.get("/solutions?q=bus", headers={"Accept-Language": "it"}).get_data(
        as_text=True
    )
    # On MARKETPLACE_BASE_URL (the test configuration's default), not on the Host header.
    site = "http://127.0.0.1:5000"
    assert f'<link rel="canonical" href="{site}/solutions?q=bus">' in shared
    assert f'hreflang="es" href="{site}/solutions?q=bus&amp;lang=es"' in shared
    assert f'hreflang="x-default" href="{site}/solutions?q=bus"' in shared
    chosen = client.get("/solutions?q=bus&lang=es").get_data(as_text=True)
    assert f'<link rel="canonical" href="{site}/solutions?q=bus&amp;lang=es">' in chosen
    assert f'hreflang="x-default" href="{site}/solutions?q=bus"' in chosen
