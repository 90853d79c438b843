"""Forms between cities: adoption notes and messages to an entry's contact."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

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
