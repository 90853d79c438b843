"""Checks several services share: email addresses, rate limits, refusing data with problems."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select, text

from ..extensions import db
from ..sqltypes import utc_now
from .errors import ValidationFailed

EMAIL_MAX = 254  # RFC 5321's limit on a forward path


def normalise_email(email: str, field: str = "email", *, optional: bool = False) -> str:
    """The address in canonical form (lower case); "" for an empty ``optional`` one.

    :raises ValidationFailed: not a valid email address (the message names ``field``'s value).
    """
    email = (email or "").strip()
    if not email and optional:
        return ""
    try:
        if len(email) > EMAIL_MAX:
            raise EmailNotValidError("too long")
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        if not email:
            message = _("An empty address is not a valid email address.")
        elif optional:
            message = _(
                "%(email)s is not a valid email address (or leave the field empty).",
                email=email[:80],
            )
        else:
            message = _("%(email)s is not a valid email address.", email=email[:80])
        raise ValidationFailed(message, field) from exc


def is_email(value: str) -> bool:
    """Whether ``value`` is a valid email address."""
    try:
        normalise_email(value)
    except ValidationFailed:
        return False
    return True


def count_recent(created_at: Any, window: timedelta, *where: Any) -> int:
    """How many rows whose ``created_at`` column lies within ``window`` match ``where`` (the
    counter behind every rate limit; call it inside the unit of work that then inserts).

    The count and the insert after it must not interleave with another request's: SQLite's
    write transaction (BEGIN IMMEDIATE) already runs one at a time; on PostgreSQL the count
    first takes a lock on the counted table's limit, held until the unit commits (without it,
    eight reports sent at once were all accepted under a limit of five).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        table = created_at.class_.__tablename__
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": f"limit:{table}"}
        )
    since = utc_now() - window
    query = select(func.count()).select_from(created_at.class_).where(created_at >= since, *where)
    return int(db.session.scalar(query) or 0)


def refuse_if_problems(found: dict[str, str]) -> None:
    """:raises ValidationFailed: the first of ``found`` (field -> message), if any."""
    if found:
        field, message = next(iter(found.items()))
        raise ValidationFailed(message, field)
