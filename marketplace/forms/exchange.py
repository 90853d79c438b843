"""Forms between cities: adoption notes and messages to an entry's contact."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..services.checks import EMAIL_MAX
from ..services.exchange import MESSAGE_MAX, MESSAGE_MIN, NOTE_MAX, SUBJECT_MAX
from . import Form


class AdoptForm(Form):
    note = TextAreaField(
        _l("How your city uses it (optional)"),
        validators=[Length(max=NOTE_MAX)],
        description=_l(
            "Shown next to your city in the list of users; at most %(max)s characters.",
            max=NOTE_MAX,
        ),
    )


class ContactForm(Form):
    subject = StringField(
        _l("Subject"), validators=[DataRequired(_l("Give a subject.")), Length(max=SUBJECT_MAX)]
    )
    message = TextAreaField(
        _l("Message"),
        validators=[
            DataRequired(_l("Write your message.")),
            Length(
                min=MESSAGE_MIN,
                max=MESSAGE_MAX,
                message=_l(
                    "Write between %(min)s and %(max)s characters.",
                    min=MESSAGE_MIN,
                    max=MESSAGE_MAX,
                ),
            ),
        ],
        description=_l(
            "Your name, city and email address are added, so the contact can reply to you directly."
        ),
    )


class VisitorContactForm(ContactForm):
    """The contact form of a visitor who is not signed in: who they are, and where to answer."""

    name = StringField(
        _l("Your name"), validators=[DataRequired(_l("Give your name.")), Length(max=120)]
    )
    email = EmailField(
        _l("Your email address"),
        validators=[DataRequired(_l("Give your email address.")), Length(max=EMAIL_MAX)],
        description=_l(
            "We mail you a link to confirm it; the message goes out once you follow it, "
            "and replies come to this address."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.message.description = _(
            "Your name and email address are added, so the contact can reply to you directly."
        )


class ConfirmForm(Form):
    """Only the CSRF token: confirming sends mail, so it is a POST, never a link's GET."""
