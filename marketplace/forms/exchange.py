"""Forms between cities: adoption notes and messages to an entry's contact."""

from __future__ import annotations

from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..services.checks import EMAIL_MAX
from ..services.exchange import MESSAGE_MAX, MESSAGE_MIN, NOTE_MAX, SUBJECT_MAX
from . import Form


class AdoptForm(Form):
    note = TextAreaField(
        "How your city uses it (optional)",
        validators=[Length(max=NOTE_MAX)],
        description=f"Shown next to your city in the list of users; at most {NOTE_MAX} characters.",
    )


class ContactForm(Form):
    subject = StringField(
        "Subject", validators=[DataRequired("Give a subject."), Length(max=SUBJECT_MAX)]
    )
    message = TextAreaField(
        "Message",
        validators=[
            DataRequired("Write your message."),
            Length(
                min=MESSAGE_MIN,
                max=MESSAGE_MAX,
                message=f"Write between {MESSAGE_MIN} and {MESSAGE_MAX} characters.",
            ),
        ],
        description="Your name, city and email address are added, so the contact can reply "
        "to you directly.",
    )


class VisitorContactForm(ContactForm):
    """The contact form of a visitor who is not signed in: who they are, and where to answer."""

    name = StringField("Your name", validators=[DataRequired("Give your name."), Length(max=120)])
    email = EmailField(
        "Your email address",
        validators=[DataRequired("Give your email address."), Length(max=EMAIL_MAX)],
        description="We mail you a link to confirm it; the message goes out once you follow it, "
        "and replies come to this address.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.message.description = (
            "Your name and email address are added, so the contact can reply to you directly."
        )


class ConfirmForm(Form):
    """Only the CSRF token: confirming sends mail, so it is a POST, never a link's GET."""
