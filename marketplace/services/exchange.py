"""Between cities: recording an adoption of another city's entry, and contacting its owners."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from .. import mail
from ..database import transactional
from ..extensions import db
from ..models import Adoption, ContactMessage, Solution
from ..permissions import can_adopt, can_contact, can_publish_for_city
from . import notices
from .checks import count_recent
from .errors import DomainError, PermissionDenied, ValidationFailed

NOTE_MAX = 500
SUBJECT_MAX = 150
MESSAGE_MIN = 20
MESSAGE_MAX = 5000


class TooManyMessages(DomainError):
    status_code = 429


class NotDelivered(DomainError):
    status_code = 503


def adoption_of(user: Any, solution: Solution) -> Adoption | None:
    if not can_publish_for_city(user):
        return None
    return next((a for a in solution.adoptions if a.city_id == user.city_id), None)


@transactional
def adopt(user: Any, solution: Solution, note: str) -> None:
    """Record (or update the note of) the user's city as a user of ``solution``.

    :raises PermissionDenied: not a publisher of another city, or the entry is not published.
    :raises ValidationFailed: the note is too long.
    """
    if not can_adopt(user, solution):
        raise PermissionDenied(_("Only publishers of another city can record an adoption."))
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(_("Keep the note to %(max)s characters.", max=NOTE_MAX), "note")
    adoption = adoption_of(user, solution)
    if adoption is None:
        solution.adoptions.append(Adoption(city_id=user.city_id, note=note))
        notices.adopted(solution, user.city, note)
    else:
        adoption.note = note


@transactional
def unadopt(user: Any, solution: Solution) -> None:
    """Remove the user's city from the entry's "used by" list (nothing happens if absent)."""
    if not can_adopt(user, solution):
        raise PermissionDenied(_("Only publishers of another city can change an adoption."))
    adoption = adoption_of(user, solution)
    if adoption is not None:
        solution.adoptions.remove(adoption)


def require_contact(user: Any, solution: Solution) -> None:
    """:raises PermissionDenied: unless ``user`` may write to the entry's contact."""
    if not can_contact(user, solution):
        raise PermissionDenied(
            _(
                "Publishers of other cities can write to this entry's contact; it has none, or "
                "it is your own city's entry."
            )
        )


def messages_today(user: Any) -> int:
    return count_recent(
        ContactMessage.created_at, timedelta(days=1), ContactMessage.sender_id == user.id
    )


def send_message(user: Any, solution: Solution, subject: str, body: str) -> ContactMessage:
    """Email the entry's contact on behalf of ``user`` (replies go to the user) and keep a copy.

    :raises PermissionDenied: see can_contact.
    :raises ValidationFailed: subject or message empty or too long.
    :raises TooManyMessages: the user reached the daily limit.
    :raises NotDelivered: the mail server refused; nothing is stored, the user may try again.
    """
    message, mail_subject, text = _store_message(user, solution, subject, body)
    try:
        mail.send_mail(message.recipient, mail_subject, text, reply_to=user.email)
    except (mail.MailError, ValueError) as error:
        _forget(message.id)
        raise NotDelivered(
            _(
                "The message could not be sent just now. Nothing was lost: try again in a few "
                "minutes."
            )
        ) from error
    return message


def clean_message(subject: str, body: str) -> tuple[str, str]:
    """A message's subject on one line and its trimmed body.

    :raises ValidationFailed: the subject is empty or too long, the body too short or too long.
    """
    subject, body = " ".join(subject.split()), body.strip()  # no line breaks in a header
    if not subject or len(subject) > SUBJECT_MAX:
        raise ValidationFailed(
            _("Give a subject of at most %(max)s characters.", max=SUBJECT_MAX), "subject"
        )
    if not MESSAGE_MIN <= len(body) <= MESSAGE_MAX:
        raise ValidationFailed(
            _("Write between %(min)s and %(max)s characters.", min=MESSAGE_MIN, max=MESSAGE_MAX),
            "message",
        )
    return subject, body


def sender_name(user: Any) -> str:
    """How a message names its sender: "Ana (Zagreb)", the city once even if the name has it."""
    name, city = user.display_name, user.city.name if user.city else ""
    return name if not city or city.casefold() in name.casefold() else f"{name} ({city})"


@transactional
def _store_message(
    user: Any, solution: Solution, subject: str, body: str
) -> tuple[ContactMessage, str, str]:
    """Check and store the message (counted against the daily limit in the same write)."""
    require_contact(user, solution)
    subject, body = clean_message(subject, body)
    limit = int(current_app.config["CONTACT_MESSAGES_PER_DAY"])
    if messages_today(user) >= limit:
        raise TooManyMessages(
            _(
                "You have sent %(limit)s messages in the last 24 hours, the most the marketplace "
                "allows. Please try again tomorrow.",
                limit=limit,
            )
        )
    mail_subject, text = mail.render(
        "contact",
        language=mail.recipient_language(solution.contact_email),
        subject=subject,
        body=body,
        solution=solution,
        sender=sender_name(user),
        sender_name=user.display_name,
        reply_to=user.email,
    )
    message = ContactMessage(
        solution=solution,
        sender_id=user.id,
        recipient=solution.contact_email,
        subject=subject,
        body=body,
    )
    db.session.add(message)
    db.session.flush()
    return message, mail_subject, text


@transactional
def _forget(message_id: int) -> None:
    """Delete a stored message whose mail was refused, so it neither counts nor misleads."""
    message = db.session.get(ContactMessage, message_id)
    if message is not None:
        db.session.delete(message)
