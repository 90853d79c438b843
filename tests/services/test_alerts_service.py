"""Saved searches and their digests, mailed through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import test_mail
from flask_babel import force_locale
from flask_login import AnonymousUserMixin
from limit_helpers import Clock, use_clock
from test_mail import use_smtp

from marketplace import limits, search
from marketplace.extensions import db
from marketplace.models import SavedSearch
from marketplace.search import SearchRequest
from marketplace.services import alert_digest, alerts
from marketplace.services.errors import PermissionDenied, ValidationFailed
from marketplace.services.tokens import InvalidToken
from marketplace.sqltypes import utc_now
from marketplace.vocab import Status

smtp_server = test_mail.smtp_server  # the real SMTP server of the mail tests

VISITOR = AnonymousUserMixin()
GREEN = SearchRequest(filters={"track": ("green",)})
DAY, WEEK = timedelta(days=1), timedelta(days=7)


@pytest.fixture
def smtp(app, smtp_server):
    """The digests the server received (with ``confirmations=True``, every message)."""
    port, handler = smtp_server()
    use_smtp(app, port)

    def received(confirmations: bool = False):
        messages = [
            message_from_bytes(envelope.content, policy=policy.default)
            for _, envelope in handler.received
        ]
        return [m for m in messages if confirmations or "/alerts/confirm/" not in m.get_content()]

    return received


@pytest.fixture
def clock(app):
    return use_clock(app, Clock())


def link_in(message, path: str) -> str:
    body = message.get_content()
    return next(word for word in body.split() if f"/alerts/{path}/" in word)


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def confirmed(email="ana@example.org", request=GREEN, frequency="daily", language="en"):
    with force_locale(language):
        saved = alerts.save_search(VISITOR, request, email, frequency, "198.51.100.7")
    db.session.refresh(saved)
    return alerts.confirm(alerts.confirm_token(saved))


def entries(make_solution, taxonomy, at):
    """A matching (green) entry published at ``at``, a mobility one, and a green draft."""
    green = taxonomy["challenges"]["retrofit"]
    made = {
        "match": make_solution(title="Heat pumps for schools", challenges=[green], published_at=at),
        "other": make_solution(
            title="Bus lanes", challenges=[taxonomy["challenges"]["last-mile"]], published_at=at
        ),
        "draft": make_solution(title="Secret retrofit", challenges=[green], status=Status.DRAFT),
    }
    search.rebuild()
    return made


def test_a_visitor_confirms_by_mail_and_gets_nothing_before(ctx, smtp, clock, taxonomy):
    saved = alerts.save_search(VISITOR, GREEN, "Ana@Example.org", "daily", "198.51.100.7")
    (mail,) = smtp(confirmations=True)
    assert mail["To"] == "ana@example.org"
    assert "Green economy" in mail.get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert saved.confirmed_at is None
    search.rebuild()
    assert alert_digest.send_due(utc_now() + 30 * DAY).due == 0  # unconfirmed: never due
    assert len(smtp(confirmations=True)) == 1
    confirmed_one = alerts.confirm(token_of(link_in(mail, "confirm")))
    assert confirmed_one.id == saved.id
    assert confirmed_one.confirmed_at is not None


def test_the_digest_lists_new_matching_published_entries_only(
    ctx, smtp, clock, make_solution, taxonomy
):
    saved = confirmed()
    start = saved.watermark
    made = entries(make_solution, taxonomy, start + timedelta(hours=2))
    report = alert_digest.send_due(start + DAY)
    assert (report.sent, report.failed) == (1, 0)
    (digest,) = smtp()
    body = digest.get_content()
    assert digest["Subject"] == "1 new or updated entry for your saved search"
    assert "Heat pumps for schools" in body
    assert f"/solutions/{made['match'].slug}" in body
    assert "Bus lanes" not in body
    assert "Secret retrofit" not in body
    assert "/solutions?sort=newest&track=green" in body
    unsubscribe = link_in(digest, "unsubscribe")
    assert digest["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.startswith("http://127.0.0.1:5000/alerts/unsubscribe/")


def test_updated_entries_come_again_as_updated_and_old_ones_not_at_all(
    ctx, smtp, clock, make_solution, taxonomy
):
    saved = confirmed()
    start = saved.watermark
    before = make_solution(title="Old green roof", published_at=start - WEEK)
    before.content_updated_at = start - WEEK
    db.session.commit()
    search.rebuild()
    assert alert_digest.send_due(start + DAY).empty == 1  # due, nothing new: no mail
    assert smtp() == []
    before.content_updated_at = start + DAY + timedelta(hours=3)
    db.session.commit()
    assert alert_digest.send_due(start + 2 * DAY).sent == 1
    body = smtp()[0].get_content()
    assert "Old green roof" in body
    assert " - updated" in body


def test_sending_twice_mails_once(ctx, smtp, clock, make_solution, taxonomy):
    saved = confirmed()
    entries(make_solution, taxonomy, saved.watermark + timedelta(hours=1))
    now = saved.watermark + DAY
    assert alert_digest.send_due(now).sent == 1
    assert alert_digest.send_due(now).due == 0
    assert alert_digest.send_due(now + timedelta(minutes=30)).due == 0
    assert len(smtp()) == 1


def test_a_crash_after_sending_resends_once_after_the_lease(
    ctx, smtp, clock, make_solution, taxonomy, monkeypatch
):
    saved = confirmed()
    entries(make_solution, taxonomy, saved.watermark + timedelta(hours=1))
    now = saved.watermark + DAY
    finish = alert_digest._finish

    def crash(*args, **kwargs):
        raise SystemExit("killed between send and commit")

    monkeypatch.setattr(alert_digest, "_finish", crash)
    with pytest.raises(SystemExit):
        alert_digest.send_due(now)
    monkeypatch.setattr(alert_digest, "_finish", finish)
    assert len(smtp()) == 1
    assert alert_digest.send_due(now + timedelta(minutes=5)).due == 0  # the claim still holds
    assert alert_digest.send_due(now + alert_digest.LEASE).sent == 1
    assert alert_digest.send_due(now + alert_digest.LEASE).due == 0
    first, again = smtp()
    assert first["Message-ID"] == again["Message-ID"]  # clients can show it once


def test_daily_and_weekly_come_when_due(ctx, smtp, clock, make_solution, taxonomy):
    daily = confirmed("d@example.org")
    weekly = confirmed("w@example.org", frequency="weekly")
    start = max(daily.watermark, weekly.watermark)
    entries(make_solution, taxonomy, start + timedelta(minutes=1))
    assert alert_digest.send_due(start + timedelta(hours=20)).due == 0
    assert alert_digest.send_due(start + DAY).sent == 1
    assert [m["To"] for m in smtp()] == ["d@example.org"]
    assert alert_digest.send_due(start + 6 * DAY - timedelta(hours=2)).empty == 1  # daily
    assert alert_digest.send_due(start + WEEK).sent == 1
    assert [m["To"] for m in smtp()] == ["d@example.org", "w@example.org"]


def test_the_digest_is_in_the_language_saved_with_the_entry_in_it(
    ctx, smtp, clock, make_solution, taxonomy
):
    saved = confirmed(language="fr")
    assert saved.language == "fr"
    entries(make_solution, taxonomy, saved.watermark + timedelta(hours=1))
    alert_digest.send_due(saved.watermark + DAY)
    (digest,) = smtp()
    assert "recherche enregistrée" in digest["Subject"]
    assert "Heat pumps for schools" in digest.get_content()


def test_unsubscribing_deletes_the_search_once(ctx, smtp, clock):
    saved = confirmed()
    token = alerts.unsubscribe_token(saved)
    assert alerts.unsubscribe(token) is True
    assert db.session.get(SavedSearch, saved.id) is None
    assert alerts.unsubscribe(token) is False
    with pytest.raises(InvalidToken):
        alerts.unsubscribe(token + "x")


def test_a_signed_in_account_skips_the_confirmation(ctx, smtp, clock, publisher):
    saved = alerts.save_search(publisher, GREEN, "ignored@example.org", "weekly", "198.51.100.7")
    assert smtp() == []
    assert saved.email == publisher.email
    assert saved.user_id == publisher.id
    assert saved.confirmed_at is not None
    assert saved.next_due_at == saved.confirmed_at + WEEK
    assert alerts.of_account(publisher) == [saved]
    alerts.change_frequency(publisher, saved, "daily")
    assert saved.next_due_at == saved.confirmed_at + DAY


def test_others_cannot_manage_a_saved_search(ctx, clock, publisher, curator):
    saved = alerts.save_search(publisher, GREEN, "", "daily", None)
    with pytest.raises(PermissionDenied):
        alerts.get_manageable(curator, saved.id)
    with pytest.raises(PermissionDenied):
        alerts.delete(curator, saved)
    with pytest.raises(ValidationFailed):
        alerts.change_frequency(publisher, saved, "hourly")


def test_saving_is_limited_per_address_and_network_and_capped(app, ctx, smtp, clock):
    for n in range(5):
        request = SearchRequest(text=f"topic {n}")
        alerts.save_search(VISITOR, request, "ana@example.org", "daily", "198.51.100.7")
    with pytest.raises(limits.RateLimited):
        alerts.save_search(VISITOR, GREEN, "ana@example.org", "daily", "198.51.100.8")
    assert len(smtp(confirmations=True)) == 5
    clock.advance(24 * 3600)
    app.config["ALERTS_PER_ADDRESS"] = 5
    with pytest.raises(ValidationFailed, match="5 saved searches"):
        alerts.save_search(VISITOR, GREEN, "ana@example.org", "daily", "198.51.100.8")
    for n in range(20):
        alerts.save_search(VISITOR, GREEN, f"x{n}@example.org", "daily", "203.0.113.9")
    with pytest.raises(limits.RateLimited):
        alerts.save_search(VISITOR, GREEN, "x99@example.org", "daily", "203.0.113.9")


def test_saving_the_same_search_again_keeps_one(ctx, smtp, clock):
    first = alerts.save_search(VISITOR, GREEN, "ana@example.org", "daily", None)
    again = alerts.save_search(VISITOR, GREEN, "ana@example.org", "weekly", None)
    assert first.id == again.id
    assert again.frequency == "weekly"
    assert db.session.scalar(db.select(db.func.count()).select_from(SavedSearch)) == 1


def test_a_link_of_a_deleted_search_fails_for_a_new_one_with_its_id(ctx, smtp, clock):
    saved = confirmed()
    token = alerts.confirm_token(saved)
    db.session.delete(saved)
    db.session.commit()
    confirmed("other@example.org")
    with pytest.raises(InvalidToken):
        alerts.pending(token)


def test_bad_addresses_and_frequencies_are_refused(ctx, clock):
    with pytest.raises(ValidationFailed) as bad:
        alerts.save_search(VISITOR, GREEN, "not an address", "daily", None)
    assert bad.value.field == "email"
    with pytest.raises(ValidationFailed) as freq:
        alerts.save_search(VISITOR, GREEN, "a@example.org", "hourly", None)
    assert freq.value.field == "frequency"


def test_the_query_round_trips_and_ignores_paging(ctx):
    request = SearchRequest(
        text="  heat   pumps ",
        filters={"track": ("green",), "city": ("a", "b")},
        page=3,
        exact=True,
    )
    saved = SavedSearch(query=alerts.query_of(request), language="fr")
    again = alerts.search_of(saved)
    assert (again.text, dict(again.filters), again.exact, again.page) == (
        "heat pumps",
        {"track": ("green",), "city": ("a", "b")},
        True,
        1,
    )


def test_the_command_prints_one_line_and_exits_nonzero_on_failure(
    app, ctx, runner, smtp, clock, make_solution, taxonomy
):
    saved = confirmed()
    entries(make_solution, taxonomy, saved.watermark - timedelta(hours=1))
    saved.watermark = saved.watermark - timedelta(hours=2)
    saved.next_due_at = utc_now() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["alerts", "send"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "alerts send: 1 due, 1 sent, 0 with nothing new, 0 failed, 0 unconfirmed deleted\n"
    )
    again = runner.invoke(args=["alerts", "send"])
    assert again.output == (
        "alerts send: 0 due, 0 sent, 0 with nothing new, 0 failed, 0 unconfirmed deleted\n"
    )
    saved = db.session.get(SavedSearch, saved.id)
    saved.email = "nobody@example.org"  # the SMTP server refuses it
    saved.next_due_at = utc_now() - timedelta(minutes=1)
    saved.watermark = saved.watermark - timedelta(days=1)
    db.session.commit()
    refused = runner.invoke(args=["alerts", "send"])
    assert refused.exit_code == 1
    assert "1 failed" in refused.output
    assert db.session.get(SavedSearch, saved.id).claimed_at is None  # due again next run


def test_searches_left_unconfirmed_past_their_link_are_deleted_by_the_sender(
    app, ctx, runner, smtp, clock
):
    expired = utc_now() - timedelta(hours=app.config["ALERTS_CONFIRM_HOURS"], minutes=1)
    old_pending = alerts.save_search(VISITOR, GREEN, "old@example.org", "daily", None)
    old_confirmed = confirmed("kept@example.org")
    resent = alerts.save_search(VISITOR, GREEN, "resent@example.org", "daily", None)
    new_pending = alerts.save_search(VISITOR, GREEN, "new@example.org", "daily", None)
    for saved in (old_pending, old_confirmed, resent):
        saved.created_at = saved.link_sent_at = expired
    old_confirmed.confirmed_at = expired
    db.session.commit()
    resent = alerts.save_search(VISITOR, GREEN, "resent@example.org", "daily", None)  # again
    ids = [saved.id for saved in (old_pending, old_confirmed, resent, new_pending)]

    result = runner.invoke(args=["alerts", "send"])

    assert result.exit_code == 0, result.output
    assert result.output.endswith(", 1 unconfirmed deleted\n")
    assert set(db.session.scalars(db.select(SavedSearch.id))) == set(ids[1:])
    # the link mailed again still confirms: its search was not deleted under it
    latest = [m for m in smtp(confirmations=True) if m["To"] == "resent@example.org"][-1]
    assert alerts.confirm(token_of(link_in(latest, "confirm"))).confirmed_at is not None
    again = runner.invoke(args=["alerts", "send"])
    assert again.output.endswith(", 0 unconfirmed deleted\n")
