"""Saving a search from the results page, the mailed links, and the account page's list."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest
import test_mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from limit_helpers import Clock, use_clock
from test_mail import use_smtp

from marketplace import search
from marketplace.extensions import db
from marketplace.models import SavedSearch
from marketplace.search import SearchRequest
from marketplace.services import alerts

smtp_server = test_mail.smtp_server  # the real SMTP server of the mail tests

SEARCH = "/alerts/new?q=heat+pumps&track=green&track=mobility&page=2"


@pytest.fixture
def mails(app, smtp_server):
    port, handler = smtp_server()
    use_smtp(app, port)
    return lambda: [
        message_from_bytes(envelope.content, policy=policy.default)
        for _, envelope in handler.received
    ]


@pytest.fixture
def clock(app):
    return use_clock(app, Clock())


def path_of(message, kind: str) -> str:
    return re.search(rf"https?://[^/\s]+(/alerts/{kind}/\S+)", message.get_content())[1]


def saved_searches():
    return db.session.scalars(db.select(SavedSearch)).all()


def test_the_results_page_links_to_saving_its_search(client, ctx, make_solution):
    make_solution()
    with client.application.app_context():
        search.rebuild()
    page = client.get("/solutions?q=heat&track=green&track=mobility")
    assert 'href="/alerts/new?q=heat&amp;track=green&amp;track=mobility"' in page.text


def test_a_visitor_saves_confirms_and_unsubscribes(client, ctx, taxonomy, mails, clock):
    form = client.get(SEARCH)
    assert form.status_code == 200
    assert "“heat pumps”" in form.text
    assert "Green economy, Mobility" in form.text
    sent = client.post(SEARCH, data={"email": "Ana@Example.org", "frequency": "daily"})
    assert sent.status_code == 200
    assert "Check your mail" in sent.text
    (saved,) = saved_searches()
    assert (saved.email, saved.query, saved.confirmed_at) == (
        "ana@example.org",
        "q=heat+pumps&track=green&track=mobility",
        None,
    )
    (confirmation,) = mails()
    link = path_of(confirmation, "confirm")
    shown = client.get(link)  # a mail scanner following the link starts nothing
    assert shown.status_code == 200
    assert "Confirm my address" in shown.text
    db.session.refresh(saved)
    assert saved.confirmed_at is None
    assert client.post(link).status_code == 200
    db.session.refresh(saved)
    assert saved.confirmed_at is not None
    assert "confirmed already" in client.get(link).text

    unsubscribe = path_of(confirmation, "unsubscribe")
    page = client.get(unsubscribe)
    assert page.status_code == 200
    assert "Unsubscribe" in page.text
    assert saved_searches() == [saved]  # a GET deletes nothing
    assert client.post(unsubscribe).status_code == 200
    assert saved_searches() == []
    again = client.post(unsubscribe)
    assert again.status_code == 200
    assert "deleted already" in again.text


def test_the_one_click_post_needs_no_csrf_token_but_a_valid_signature(csrf_app):
    with csrf_app.app_context():
        saved = SavedSearch(email="ana@example.org", query="q=heat")
        db.session.add(saved)
        db.session.commit()
        token = alerts.unsubscribe_token(saved)
    client = csrf_app.test_client()
    forged = client.post(f"/alerts/unsubscribe/{token[:-2]}xx", data="List-Unsubscribe=One-Click")
    assert forged.status_code == 400
    one_click = client.post(
        f"/alerts/unsubscribe/{token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    with csrf_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SavedSearch)) == 0


def test_saving_and_managing_need_the_csrf_token(csrf_app, csrf_token_in):
    client = csrf_app.test_client()
    refused = client.post(SEARCH, data={"email": "ana@example.org", "frequency": "daily"})
    assert refused.status_code == 400
    with csrf_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SavedSearch)) == 0
    token = csrf_token_in(client.get(SEARCH).text)
    accepted = client.post(
        SEARCH, data={"email": "ana@example.org", "frequency": "daily", "csrf_token": token}
    )
    assert accepted.status_code == 200
    with csrf_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SavedSearch)) == 1


def test_a_signed_in_account_saves_without_mail_and_manages_on_its_account_page(
    client, ctx, auth, publisher, curator, taxonomy, mails, clock, client_for
):
    auth.sign_in(publisher)
    form = client.get(SEARCH)
    assert 'name="email"' not in form.text
    assert publisher.email in form.text
    saved = client.post(SEARCH, data={"frequency": "weekly"})
    assert saved.status_code == 302
    assert saved.location.endswith("/account#saved-searches")
    assert mails() == []
    (row,) = saved_searches()
    assert row.confirmed_at is not None
    assert row.user_id == publisher.id
    page = client.get("/account")
    assert "Saved searches" in page.text
    assert "“heat pumps”" in page.text
    assert f'action="/alerts/{row.id}/frequency"' in page.text
    assert (
        client.post(f"/alerts/{row.id}/frequency", data={"frequency": "daily"}).status_code == 302
    )
    db.session.refresh(row)
    assert row.frequency == "daily"
    other = client_for(curator)
    assert other.post(f"/alerts/{row.id}/delete").status_code == 403
    assert (
        other.post(f"/alerts/{row.id}/frequency", data={"frequency": "weekly"}).status_code == 403
    )
    assert "“heat pumps”" not in other.get("/account").text
    bad = client.post(f"/alerts/{row.id}/frequency", data={"frequency": "hourly"})
    assert bad.status_code == 302
    db.session.refresh(row)
    assert row.frequency == "daily"
    assert client.post(f"/alerts/{row.id}/delete").status_code == 302
    assert saved_searches() == []
    assert client.post(f"/alerts/{row.id}/delete").status_code == 404


def test_bad_input_is_shown_next_to_the_field_with_what_was_typed(client, ctx, clock):
    page = client.post(SEARCH, data={"email": "not an address", "frequency": "daily"})
    assert page.status_code == 400
    assert "not a valid email address" in page.text
    assert 'value="not an address"' in page.text
    odd = client.post(SEARCH, data={"email": "a@example.org", "frequency": "hourly"})
    assert odd.status_code == 400
    assert saved_searches() == []


def test_too_many_saves_answer_429_with_retry_after(client, ctx, clock, mails):
    answers = [
        client.post(
            f"/alerts/new?q=topic{n}", data={"email": "a@example.org", "frequency": "daily"}
        )
        for n in range(6)
    ]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 24 * 3600
    assert "Too many searches were saved" in answers[-1].text
    assert len(mails()) == 5


def test_a_search_too_long_to_save_is_refused_plainly(client, ctx, clock):
    long = "/alerts/new?" + "&".join(f"city=c{n}-{'x' * 90}" for n in range(30))
    assert client.get(long).status_code == 200
    refused = client.post(long, data={"email": "a@example.org", "frequency": "daily"})
    assert refused.status_code == 400
    assert "too long to save" in refused.text


def test_the_pages_speak_the_interface_language(client, ctx, taxonomy, clock, mails):
    page = client.get(SEARCH, headers={"Accept-Language": "fr"})
    assert "Enregistrer cette recherche" in page.text
    client.post(
        SEARCH,
        data={"email": "a@example.org", "frequency": "weekly"},
        headers={"Accept-Language": "de"},
    )
    (saved,) = saved_searches()
    assert saved.language == "de"
    (confirmation,) = mails()
    assert "Bestätigen" in confirmation["Subject"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=st.text(max_size=300),
    value=st.text(max_size=120),
    email=st.text(max_size=80),
    frequency=st.sampled_from(["daily", "weekly", "", "monthly", "\x00"]),
    token=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80),
)
def test_hostile_input_never_answers_500(client, app, text, value, email, frequency, token):
    use_clock(app, Clock())
    query = {"q": text, "track": value, "city": [value, text]}
    assert client.get("/alerts/new", query_string=query).status_code == 200
    posted = client.post(
        "/alerts/new", query_string=query, data={"email": email, "frequency": frequency}
    )
    assert posted.status_code in (200, 400, 429)
    for path in ("confirm", "unsubscribe"):
        for method in ("GET", "POST"):
            answer = client.open(f"/alerts/{path}/x", method=method, query_string={"t": token})
            assert answer.status_code == 400
            answer = client.open("/alerts/" + path + "/" + token.replace("/", "_"), method=method)
            assert answer.status_code in (400, 404)


def test_describing_a_search_with_no_words_or_filters(ctx):
    assert alerts.describe_request(SearchRequest()) == "every published entry"
