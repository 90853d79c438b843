"""Visitors contact an entry's city: forwarded only after they confirm their own address."""

import re

import pytest

from marketplace.extensions import db
from marketplace.models import VisitorMessage
from marketplace.vocab import Status

MESSAGE = {
    "name": "Ana Costa",
    "email": "Ana@Example.org",
    "subject": "Your cargo bikes",
    "message": "How did you find the operator for the consolidation centre?",
}


@pytest.fixture
def entry(make_solution):
    return make_solution(
        status=Status.PUBLISHED, slug="cargo-bikes", contact_email="mobility@antwerp.example"
    )


def confirm_link(outbox) -> str:
    [mail] = [m for m in outbox() if m["To"] == "ana@example.org"]
    return re.search(r"https?://[^/]+(/solutions/contact/confirm/\S+)", mail.get_content())[1]


def test_a_visitor_message_goes_out_only_after_the_address_is_confirmed(client, entry, outbox):
    page = client.get("/solutions/cargo-bikes")
    assert 'href="/solutions/cargo-bikes/contact"' in page.text
    sent = client.post("/solutions/cargo-bikes/contact", data=MESSAGE)
    assert sent.status_code == 200
    assert "Check your mail" in sent.text
    assert [m["To"] for m in outbox()] == ["ana@example.org"]  # nothing to the city yet
    link = confirm_link(outbox)
    shown = client.get(link)  # following the link changes nothing
    assert shown.status_code == 200
    assert "consolidation centre" in shown.text
    assert "mobility@antwerp.example" not in [m["To"] for m in outbox()]
    assert client.post(link).status_code == 302
    forwarded = [m for m in outbox() if m["To"] == "mobility@antwerp.example"]
    assert len(forwarded) == 1
    assert forwarded[0]["Reply-To"] == "ana@example.org"
    assert "Ana Costa" in forwarded[0].get_content()
    assert client.post(link).status_code == 409  # once only
    assert len([m for m in outbox() if m["To"] == "mobility@antwerp.example"]) == 1


def test_a_forged_or_altered_link_forwards_nothing(client, entry, outbox):
    client.post("/solutions/cargo-bikes/contact", data=MESSAGE)
    link = confirm_link(outbox)
    assert client.post(link[:-3] + "xyz").status_code == 400
    assert client.post("/solutions/contact/confirm/forged").status_code == 400
    assert [m["To"] for m in outbox()] == ["ana@example.org"]


def test_visitors_are_limited_per_address_and_per_network(app, client, entry, outbox):
    app.config.update(VISITOR_MESSAGES_PER_ADDRESS=2, VISITOR_MESSAGES_PER_IP=3)
    for _ in range(2):
        assert client.post("/solutions/cargo-bikes/contact", data=MESSAGE).status_code == 200
    refused = client.post("/solutions/cargo-bikes/contact", data=MESSAGE)
    assert refused.status_code == 429
    assert "How did you find the operator" in refused.text  # the text is kept
    other = {**MESSAGE, "email": "other@example.org"}
    assert client.post("/solutions/cargo-bikes/contact", data=other).status_code == 200
    again = {**MESSAGE, "email": "third@example.org"}
    assert client.post("/solutions/cargo-bikes/contact", data=again).status_code == 429
    assert db.session.scalar(db.select(db.func.count()).select_from(VisitorMessage)) == 3


def test_bad_input_is_shown_next_to_the_fields_and_kept(client, entry, outbox):
    response = client.post(
        "/solutions/cargo-bikes/contact", data={**MESSAGE, "email": "not an address"}
    )
    assert response.status_code == 400
    assert "How did you find the operator" in response.text
    assert outbox() == []


def test_an_entry_without_a_contact_offers_no_form(client, make_solution):
    make_solution(status=Status.PUBLISHED, slug="quiet", contact_email="")
    assert 'href="/solutions/quiet/contact"' not in client.get("/solutions/quiet").text
    assert client.get("/solutions/quiet/contact").status_code == 403


def test_the_confirmation_mail_repeats_nothing_the_visitor_wrote(client, entry, outbox):
    lure = {**MESSAGE, "name": "Win at http://evil.example", "subject": "Claim http://evil.example"}
    client.post("/solutions/cargo-bikes/contact", data=lure)
    [mail] = outbox()
    assert "evil.example" not in mail["Subject"] + mail.get_content()


def test_one_ipv6_network_counts_as_one(app, client, entry, outbox):
    app.config.update(VISITOR_MESSAGES_PER_IP=2)
    for n in range(3):
        response = client.post(
            "/solutions/cargo-bikes/contact",
            data={**MESSAGE, "email": f"v{n}@example.org"},
            environ_base={"REMOTE_ADDR": f"2001:db8::{n + 1}"},
        )
    assert response.status_code == 429
