"""Who is told what: the mails a change sends besides the decision mails to authors.

Each function is called inside the unit of work that made the change; the mail goes out after
its commit (marketplace.mail.notify).
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from .. import mail
from ..database import unit_of_work
from ..extensions import db
from ..models import Report, Solution, User
from ..vocab import Role


def curators() -> list[User]:
    """Every active account that moderates (curators and admins), by email."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_([Role.CURATOR, Role.ADMIN]))
            .order_by(User.email)
        )
    )


def city_publishers(city_id: int) -> list[User]:
    """The active publishers of a city, by email."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role == Role.PUBLISHER, User.city_id == city_id)
            .order_by(User.email)
        )
    )


def submitted(solution: Solution, *, revision: bool = False, resubmitted: bool = False) -> None:
    """Tell the curators that ``solution`` (or its pending changes) waits for review, unless
    CURATOR_MAIL says they read a daily digest or nothing."""
    if current_app.config["CURATOR_MAIL"] != "each":
        return
    for recipient in curators():
        mail.notify(
            "submitted",
            recipient.email,
            recipient=recipient,
            solution=solution,
            revision=revision,
            resubmitted=resubmitted,
        )


def adopted(solution: Solution, adopter: Any, note: str) -> None:
    """Tell the entry's city that another city recorded that it uses the entry."""
    for recipient in city_publishers(solution.city_id):
        mail.notify(
            "adopted", recipient.email, recipient=recipient, solution=solution, adopter=adopter,
            note=note,
        )  # fmt: skip


def report_decided(report: Report, reason: str, outcome: str) -> None:
    """Tell the entry's city, and the reporter who left an address, how a report ended."""
    solution = report.solution
    context = {"report": report, "solution": solution, "reason": reason, "outcome": outcome}
    for recipient in city_publishers(solution.city_id):
        mail.notify("report_resolved", recipient.email, recipient=recipient, **context)
    if report.reporter_email:
        mail.notify("report_outcome", report.reporter_email, language=report.language, **context)


def digest() -> int:
    """Mail every curator the list of what waits for review (nothing when the queue is empty);
    returns the number of messages. Run daily (cron) when CURATOR_MAIL is "digest"."""
    from .curation import queue

    sent = 0
    with unit_of_work():
        for recipient in curators():
            items = queue(recipient).items
            if items:
                mail.notify("digest", recipient.email, recipient=recipient, items=items)
                sent += 1
    return sent
