"""Visitors writing to an entry's contact: the message is forwarded only after the visitor
confirms, through a link mailed to the address they gave, that it is theirs (so the site is never
an open relay), and at most VISITOR_MESSAGES_PER_ADDRESS / _PER_IP a day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .. import i18n, mail
from ..database import transactional
from ..extensions import db
from ..models import Solution, VisitorMessage
from ..permissions import can_contact_as_visitor
from ..sqltypes import utc_now
from ..vocab import Status
from .checks import count_recent, normalise_email
from .errors import InvalidTransition, PermissionDenied, ValidationFailed
from .exchange import TooManyMessages, clean_message
from .reports import hash_ip
from .tokens import InvalidToken

NAME_MAX = 120
SALT = "visitor-contact"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def confirm_hours() -> int:
    return int(current_app.config["VISITOR_CONFIRM_HOURS"])


def require_visitor_contact(user: Any, solution: Solution) -> None:
    """:raises PermissionDenied: unless a visitor may write to this entry's contact."""
    if not can_contact_as_visitor(user, solution):
        raise PermissionDenied(_("This entry has no contact to write to."))


@transactional
def request_message(
    user: Any, solution: Solution, name: str, email: str, subject: str, body: str, ip: str | None
) -> VisitorMessage:
    """Keep a visitor's message and mail them the link that confirms their address.

    :raises PermissionDenied: see require_visitor_contact.
    :raises ValidationFailed: a field is empty, too long or not an email address.
    :raises TooManyMessages: this address or network asked too often in the last 24 hours.
    """
    require_visitor_contact(user, solution)
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX:
        raise ValidationFailed(
            _("Give your name (at most %(max)s characters).", max=NAME_MAX), "name"
        )
    email = normalise_email(email, "email")
    subject, body = clean_message(subject, body)
    ip_hash = hash_ip(ip)
    config, day = current_app.config, timedelta(days=1)
    by_address = count_recent(VisitorMessage.created_at, day, VisitorMessage.sender_email == email)
    by_network = count_recent(VisitorMessage.created_at, day, VisitorMessage.ip_hash == ip_hash)
    if by_address >= int(config["VISITOR_MESSAGES_PER_ADDRESS"]) or by_network >= int(
        config["VISITOR_MESSAGES_PER_IP"]
    ):
        raise TooManyMessages(
            _(
                "Several messages were sent from this address or network in the last 24 hours, "
                "the most the marketplace allows. Nothing was sent: please try again tomorrow."
            )
        )
    message = VisitorMessage(
        solution=solution,
        sender_name=name,
        sender_email=email,
        ip_hash=ip_hash,
        subject=subject,
        body=body,
    )
    db.session.add(message)
    db.session.flush()
    mail.notify(
        "contact_confirm",
        email,  # the visitor's own words are not repeated to an address not yet confirmed
        language=i18n.current_language(),  # the language the visitor wrote in
        solution=solution,
        hours=confirm_hours(),
        token=_serializer().dumps({"m": message.id}),
    )
    return message


def pending(token: str) -> VisitorMessage:
    """The message a confirmation link was made for, not yet forwarded.

    :raises InvalidToken: the link was altered or has expired.
    :raises InvalidTransition: the message was forwarded already.
    """
    try:
        data = _serializer().loads(token, max_age=confirm_hours() * 3600)
    except SignatureExpired as exc:
        raise InvalidToken(_("This link has expired: write your message again.")) from exc
    except BadSignature as exc:
        raise InvalidToken(_("This link is not valid. Check that it was copied whole.")) from exc
    message = db.session.get(VisitorMessage, data.get("m")) if isinstance(data, dict) else None
    if message is None:
        raise InvalidToken(_("This link is not valid any more."))
    if message.confirmed_at is not None:
        raise InvalidTransition(_("This message was confirmed and forwarded already."))
    return message


@transactional
def confirm(token: str) -> VisitorMessage:
    """Forward the confirmed message to the entry's contact, replies going to the visitor.

    :raises InvalidToken, InvalidTransition: see pending.
    :raises PermissionDenied: the entry is no longer published or has no contact now.
    """
    message = pending(token)
    solution = message.solution
    if not (solution.status == Status.PUBLISHED and solution.contact_email):
        raise PermissionDenied(_("This entry is no longer public or has no contact any more."))
    message.confirmed_at = utc_now()
    message.recipient = solution.contact_email
    mail.notify(
        "contact",
        solution.contact_email,
        reply_to=message.sender_email,
        subject=message.subject,
        body=message.body,
        solution=solution,
        # Lazy: the mail is written in its recipient's language, not in the visitor's.
        sender=_l(
            "%(name)s, a visitor whose address the marketplace confirmed,",
            name=message.sender_name,
        ),
        sender_name=message.sender_name,
    )
    return message
