"""The translation pages of the publisher: add, edit, remove; review of a published entry's."""

import re

import pytest

from marketplace.extensions import db
from marketplace.models import Solution, SolutionTranslation
from marketplace.services import curation
from marketplace.vocab import Status

FRENCH = {
    "title": "Toits solaires des écoles",
    "summary": "Des panneaux solaires sur douze écoles.",
    "description": "La ville a installé des panneaux sur les toits.",
    "impact": "",
    "lessons": "",
}
DESCRIPTION = (
    "The city installed solar panels on twelve school roofs with a citizen cooperative. Pupils "
    "follow the production on a dashboard, and the savings pay back the loan in nine years. The "
    "cooperative model lets parents invest small sums."
)


@pytest.fixture
def user(publisher):
    """Who ``signed_in`` is."""
    return publisher


@pytest.fixture
def draft(make_solution, publisher):
    return make_solution(
        city=publisher.city, status=Status.DRAFT, title="Solar roofs", summary="Panels on roofs."
    )


@pytest.fixture
def live(make_solution, publisher):
    return make_solution(
        city=publisher.city,
        title="Solar roofs",
        summary="Panels on roofs.",
        description=DESCRIPTION,
        contact_email="marta@porto.example",
    )


def errors_in(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", m).replace("Error: ", "").strip()
        for m in re.findall(r'<p class="error"[^>]*>(.*?)</p>', html, re.S)
    ]


def rows(solution: Solution) -> dict[str, str]:
    db.session.expire_all()
    query = db.select(SolutionTranslation).where(SolutionTranslation.solution_id == solution.id)
    return {row.language: row.title for row in db.session.scalars(query)}


def test_the_entry_page_offers_translations_and_says_the_language(signed_in, draft):
    page = signed_in.get(f"/my/entries/{draft.id}")
    assert page.status_code == 200
    assert "Translations" in page.text
    assert "<dt>Written in</dt><dd>English</dd>" in page.text
    assert "No translations yet." in page.text
    form = re.search(r'<form method="get"[^>]*add-translation.*?</form>', page.text, re.S).group(0)
    assert f'action="/my/entries/{draft.id}/translations/add"' in form
    assert '<option value="fr">French</option>' in form
    assert 'value="en"' not in form  # the original's language


def test_add_goes_to_the_chosen_languages_page(signed_in, draft):
    response = signed_in.get(f"/my/entries/{draft.id}/translations/add?language=fr")
    assert response.status_code == 302
    assert response.location == f"/my/entries/{draft.id}/translations/fr"
    page = signed_in.get(response.location)
    assert page.status_code == 200
    assert "Original (English):" in page.text
    assert "Panels on roofs." in page.text  # the original's summary, beside its field


@pytest.mark.parametrize("code", ["en", "xx", "", "FR"])
def test_a_language_not_allowed_is_not_found(signed_in, draft, code):
    assert (
        signed_in.get(f"/my/entries/{draft.id}/translations/add?language={code}").status_code == 404
    )
    if code:
        assert signed_in.get(f"/my/entries/{draft.id}/translations/{code}").status_code == 404
        posted = signed_in.post(f"/my/entries/{draft.id}/translations/{code}", data=FRENCH)
        assert posted.status_code == 404
    assert rows(draft) == {}


def test_add_edit_and_remove_a_translation_of_a_draft(signed_in, draft):
    url = f"/my/entries/{draft.id}/translations/fr"
    added = signed_in.post(url, data=FRENCH)
    assert added.status_code == 302, errors_in(added.text)
    assert added.location == f"/my/entries/{draft.id}"
    assert rows(draft) == {"fr": FRENCH["title"]}
    page = signed_in.get(added.location)
    assert "The translation is saved." in page.text
    assert FRENCH["title"] in page.text
    assert f'href="{url}"' in page.text
    assert '<option value="fr">' not in page.text  # no second French translation
    assert f'value="{FRENCH["summary"]}"' not in page.text
    assert FRENCH["summary"] in signed_in.get(url).text  # the form opens with it
    edited = signed_in.post(url, data={**FRENCH, "title": "Des toits solaires"})
    assert edited.status_code == 302
    assert rows(draft) == {"fr": "Des toits solaires"}
    removed = signed_in.post(f"{url}/remove")
    assert removed.status_code == 302
    assert rows(draft) == {}
    assert "The translation is removed." in signed_in.get(removed.location).text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Give the translation a title."),
        ({"summary": "x" * 301}, "summary", "At most 300 characters."),
        ({"description": "x" * 20_001}, "description", "Keep this to 20,000 characters."),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_kept(signed_in, draft, overrides, field, message):
    posted = {**FRENCH, **overrides}
    response = signed_in.post(f"/my/entries/{draft.id}/translations/fr", data=posted)
    assert response.status_code == 400
    assert any(text.startswith(message) for text in errors_in(response.text)), errors_in(
        response.text
    )
    assert f'id="{field}-error"' in response.text
    assert "La ville a installé des panneaux" in response.text or field == "description"
    assert "Des panneaux solaires sur douze écoles." in response.text or field == "summary"
    assert rows(draft) == {}


def test_a_published_entrys_translation_waits_for_a_curator(
    signed_in, live, curator, build_index, client_for
):
    build_index()
    url = f"/my/entries/{live.id}/translations/fr"
    saved = signed_in.post(url, data=FRENCH)
    assert saved.status_code == 302, errors_in(saved.text)
    page = signed_in.get(saved.location)
    assert "saved with your pending changes" in page.text
    assert "New, not public yet" in page.text
    assert rows(live) == {}
    # The author submits the pending changes from the entry form, as for any edit.
    form = signed_in.get(f"/my/entries/{live.id}/edit").text
    assert 'selected value="en"' in form or 'value="en" selected' in form
    submitted = signed_in.post(
        f"/my/entries/{live.id}/edit",
        data={
            "title": "Solar roofs",
            "kind": "solution",
            "summary": "Panels on roofs.",
            "description": DESCRIPTION,
            "maturity": "pilot",
            "challenges": ["retrofit"],
            "contact_email": "marta@porto.example",
            "language": "en",
            "action": "submit",
        },
    )
    assert submitted.status_code == 302, errors_in(submitted.text)
    db.session.expire_all()
    assert live.revision.status == "submitted"
    assert live.revision.data["translations"] == {"fr": FRENCH}
    # Until a curator approves, the public sees no French version, in pages or search.
    public = signed_in.application.test_client()
    for url in (f"/solutions/{live.slug}?lang=fr", "/solutions?q=toits+solaires&lang=fr"):
        shown = public.get(url)
        assert shown.status_code == 200
        assert "Toits solaires" not in shown.text
    curation.decide(curator, live.id, "approve")
    assert rows(live) == {"fr": FRENCH["title"]}


def test_removing_a_published_translation_is_pending_too(signed_in, live):
    live.translations = [SolutionTranslation(language="de", title="Solardächer")]
    db.session.commit()
    page = signed_in.get(f"/my/entries/{live.id}")
    assert "Solardächer" in page.text
    removed = signed_in.post(f"/my/entries/{live.id}/translations/de/remove")
    assert removed.status_code == 302
    assert rows(live) == {"de": "Solardächer"}
    page = signed_in.get(removed.location)
    assert "removed from your pending changes" in page.text
    assert "Removed, public until approved" in page.text


def test_the_entry_form_saves_written_in(signed_in, taxonomy):
    form = signed_in.get("/my/entries/new")
    assert '<option value="de">German</option>' in form.text
    response = signed_in.post(
        "/my/entries/new", data={"title": "Ein Eintrag", "language": "de", "action": "save"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    solution = db.session.scalar(db.select(Solution).where(Solution.title == "Ein Eintrag"))
    assert solution.language == "de"
    assert "<dt>Written in</dt><dd>German</dd>" in signed_in.get(response.location).text


def test_a_new_entry_defaults_to_the_interface_language(signed_in, taxonomy):
    form = signed_in.get("/my/entries/new?lang=fr").text
    chosen = re.search(r'<option[^>]*value="fr"[^>]*>', form).group(0)
    assert "selected" in chosen


def test_the_preview_says_the_language(signed_in, taxonomy):
    response = signed_in.post(
        "/my/entries/new", data={"title": "Ein Eintrag", "language": "de", "action": "preview"}
    )
    assert "Written in German." in response.text


def test_another_city_cannot_translate(client_for, make_user, make_city, draft):
    stranger = client_for(make_user(role="publisher", city=make_city()))
    url = f"/my/entries/{draft.id}/translations/fr"
    assert stranger.get(url).status_code == 403
    assert stranger.post(url, data=FRENCH).status_code == 403
    assert stranger.post(f"{url}/remove").status_code == 403
    assert rows(draft) == {}


def test_an_entry_waiting_for_review_refuses_translations(signed_in, make_solution, publisher):
    waiting = make_solution(city=publisher.city, status=Status.SUBMITTED)
    url = f"/my/entries/{waiting.id}/translations/fr"
    assert "cannot be changed now" in signed_in.get(url).text
    response = signed_in.post(url, data=FRENCH)
    assert response.status_code == 400
    assert "withdraw it to edit it again" in response.text
    assert FRENCH["title"] in response.text  # what was typed is kept
    assert rows(waiting) == {}


def test_signed_out_while_translating_keeps_what_was_typed(app, client, draft):
    response = client.post(f"/my/entries/{draft.id}/translations/fr", data=FRENCH)
    assert response.status_code == 401
    assert "You were signed out: nothing was saved" in response.text
    assert f'value="{FRENCH["title"]}"' in response.text


def test_csrf_failure_keeps_the_translation_and_remove_is_refused(
    csrf_app, csrf_token_in, password
):
    from marketplace.models import City, User

    with csrf_app.app_context():
        city = City(slug="porto", name="Porto", country="PT", role="mentor")
        user = User(email="p@porto.example", display_name="P", role="publisher", city=city)
        user.set_password(password)
        entry = Solution(slug="e", kind="solution", title="Entry", city=city)
        entry.translations = [SolutionTranslation(language="de", title="Eintrag")]
        db.session.add_all([city, user, entry])
        db.session.commit()
        entry_id = entry.id
    client = csrf_app.test_client()
    login = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "p@porto.example",
            "password": password,
            "csrf_token": csrf_token_in(login.text),
        },
    )
    url = f"/my/entries/{entry_id}/translations/fr"
    refused = client.post(url, data={**FRENCH, "csrf_token": "forged"})
    assert refused.status_code == 400
    assert "The form had expired" in refused.text
    assert f'value="{FRENCH["title"]}"' in refused.text
    assert client.post(f"/my/entries/{entry_id}/translations/de/remove").status_code == 400
    with csrf_app.app_context():
        assert [t.language for t in db.session.get(Solution, entry_id).translations] == ["de"]
    saved = client.post(url, data={**FRENCH, "csrf_token": csrf_token_in(refused.text)})
    assert saved.status_code == 302
    page = client.get(f"/my/entries/{entry_id}")
    removed = client.post(
        f"/my/entries/{entry_id}/translations/de/remove",
        data={"csrf_token": csrf_token_in(page.text), "version": ""},
    )
    assert removed.status_code == 302
    with csrf_app.app_context():
        assert [t.language for t in db.session.get(Solution, entry_id).translations] == ["fr"]


def test_the_curator_sees_what_a_translation_changes(signed_in, live, client_for, curator):
    live.translations = [SolutionTranslation(language="de", title="Solardächer")]
    db.session.commit()
    signed_in.post(f"/my/entries/{live.id}/translations/fr", data=FRENCH)
    signed_in.post(f"/my/entries/{live.id}/translations/de/remove")
    review = client_for(curator).get(f"/curate/entries/{live.id}").text
    assert "Title (French)" in review
    assert "<ins>Toits solaires des écoles</ins>" in review
    assert "Title (German)" in review
    assert "<del>Solardächer</del>" in review
    assert "The pending changes alter no field." not in review
