"""Sending the digests of saved searches that are due (`flask --app marketplace alerts send`).

A digest lists the published entries that match the saved search (the search engine, as the
results page runs it) and were published or changed after the search's watermark, newest
change first, at most ALERTS_DIGEST_ENTRIES, with a link to the whole search.

Each digest goes through three short steps, so no database lock is held while SMTP talks:
1. claim (one transaction): still due and not claimed by a run still going? then
   ``claimed_at`` = now, a lease of LEASE;
2. send, outside any transaction;
3. finish (one transaction): watermark = now, the next due time, ``last_sent_at``, the claim
   cleared - only if the claim is still ours.
Running twice mails once: the second run finds the watermark moved and nothing due. A refused
message releases the claim (the next run tries again, with what is new by then). A crash
between 2 and 3 leaves the claim: the next run after the lease sends that digest again, once
(at least once rather than at most once - a digest lost would hide its entries for good, a
second copy is only noise), and with the same Message-ID, so mail clients can show it once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select

from .. import mail, search
from ..database import unit_of_work
from ..extensions import db
from ..models import SavedSearch, Solution
from ..sqltypes import utc_now
from ..vocab import Status
from . import versions
from .alerts import PERIODS, arguments_of, describe, search_of, unsubscribe_link

log = logging.getLogger(__name__)

# How long a run's claim on a digest holds off other runs (then it counts as crashed).
LEASE = timedelta(minutes=15)
# A digest goes out at the first run at most this long before it is due, so a cron job that
# starts a few seconds early does not push it to the next day.
EARLY = timedelta(hours=1)
# Matches of one search looked at, newest published first: enough for any real search.
SCAN = 10_000


@dataclass
class SendReport:
    sent: int = 0
    empty: int = 0  # due, but nothing new matched: no mail, the next due time moved on
    failed: int = 0

    @property
    def due(self) -> int:
        return self.sent + self.empty + self.failed

    def summary(self) -> str:
        return (
            f"alerts send: {self.due} due, {self.sent} sent, {self.empty} with nothing new, "
            f"{self.failed} failed"
        )


@dataclass
class DigestEntry:
    solution: Solution
    title: str
    summary: str
    new: bool  # published since the last digest (else: changed)


def _due(now: datetime) -> Any:
    claim_over = now - LEASE
    return and_(
        SavedSearch.confirmed_at.is_not(None),
        SavedSearch.next_due_at <= now + EARLY,
        or_(SavedSearch.claimed_at.is_(None), SavedSearch.claimed_at <= claim_over),
    )


def send_due(now: datetime | None = None) -> SendReport:
    """Mail every digest that is due at ``now`` (default: the current time).

    :raises search.NoIndex: no search index has been built yet.
    """
    now = now or utc_now()
    ids = db.session.scalars(
        select(SavedSearch.id).where(_due(now)).order_by(SavedSearch.next_due_at, SavedSearch.id)
    ).all()
    report = SendReport()
    matches: dict[tuple[str, str], list[int]] = {}  # searches several addresses share run once
    for saved_id in ids:
        outcome = _send_one(saved_id, now, matches)
        if outcome:
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _send_one(saved_id: int, now: datetime, matches: dict) -> str | None:
    saved = _claim(saved_id, now)
    if saved is None:
        return None  # another run took it, or it was deleted or changed meanwhile
    watermark = saved.watermark
    try:
        entries, total = digest_entries(saved, now, matches)
        message = _render(saved, entries, total) if entries else None
    except BaseException:
        _release(saved_id, now)
        raise
    if message is None:
        _finish(saved_id, now, sent=False)
        return "empty"
    subject, body = message
    try:
        mail.send_now(
            saved.email,
            subject,
            body,
            unsubscribe=unsubscribe_link(saved),
            message_id=f"alert-{saved.id}-{int(watermark.timestamp())}",
        )
    except mail.MailError:
        log.warning("digest of saved search %s not sent; due again", saved_id, exc_info=True)
        _release(saved_id, now)
        return "failed"
    _finish(saved_id, now, sent=True)
    return "sent"


def _claim(saved_id: int, now: datetime) -> SavedSearch | None:
    with unit_of_work():
        saved = db.session.scalar(
            select(SavedSearch)
            .where(SavedSearch.id == saved_id, _due(now))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if saved is not None:
            saved.claimed_at = now
    return saved


def _release(saved_id: int, now: datetime) -> None:
    with unit_of_work():
        saved = db.session.get(SavedSearch, saved_id, with_for_update=True)
        if saved is not None and saved.claimed_at == now:
            saved.claimed_at = None


def _finish(saved_id: int, now: datetime, *, sent: bool) -> None:
    """Move the watermark to ``now`` and the due time one period on, if the claim is ours."""
    with unit_of_work():
        saved = db.session.get(SavedSearch, saved_id, with_for_update=True)
        if saved is None or saved.claimed_at != now:
            return  # unsubscribed meanwhile, or a later run took over an expired claim
        period = PERIODS[saved.frequency]
        due = (saved.next_due_at or now) + period  # keeps its time of day: no drift
        saved.next_due_at = due if due > now + EARLY else now + period
        saved.watermark = now
        saved.claimed_at = None
        if sent:
            saved.last_sent_at = now


def _matching(saved: SavedSearch, matches: dict) -> list[int]:
    key = (saved.query, saved.language)
    if key not in matches:
        request = search_of(saved, sort="newest", page=1, per_page=SCAN)
        matches[key] = [hit.id for hit in search.run(request).hits]
    return matches[key]


def digest_entries(
    saved: SavedSearch, now: datetime, matches: dict | None = None
) -> tuple[list[DigestEntry], int]:
    """The published entries matching ``saved`` that were published or changed after its
    watermark and up to ``now``, newest change first, at most ALERTS_DIGEST_ENTRIES; and how
    many there are in all."""
    since = saved.watermark or now
    changed = db.session.execute(
        select(Solution.id, Solution.published_at, Solution.content_updated_at).where(
            Solution.status == Status.PUBLISHED,
            or_(
                and_(Solution.published_at > since, Solution.published_at <= now),
                and_(Solution.content_updated_at > since, Solution.content_updated_at <= now),
            ),
        )
    ).all()
    if not changed:
        return [], 0  # most saved searches on most days: no search run at all
    found = set(_matching(saved, {} if matches is None else matches))
    rows = [row for row in changed if row.id in found]
    rows.sort(key=lambda row: (max(_times(row, now)), row.id), reverse=True)
    limit = int(current_app.config["ALERTS_DIGEST_ENTRIES"])
    chosen = {row.id: row for row in rows[:limit]}
    solutions = db.session.scalars(
        select(Solution).where(Solution.id.in_(chosen), Solution.status == Status.PUBLISHED)
    ).all()
    by_id = {solution.id: solution for solution in solutions}
    shown = versions.shown_for(solutions, language=saved.language)
    entries = [
        DigestEntry(
            by_id[i],
            shown[i].title,
            shown[i].summary,
            new=chosen[i].published_at is not None and chosen[i].published_at > since,
        )
        for i in chosen
        if i in by_id
    ]
    return entries, len(rows)


def _times(row: Any, now: datetime) -> list[datetime]:
    return [t for t in (row.published_at, row.content_updated_at) if t is not None and t <= now]


def _render(saved: SavedSearch, entries: list[DigestEntry], total: int) -> tuple[str, str]:
    return mail.render(
        "alert_digest",
        language=saved.language,
        saved=saved,
        describe=describe,
        entries=entries,
        total=total,
        more=total - len(entries),
        search_args=arguments_of(saved),
        unsubscribe=unsubscribe_link(saved),
    )
