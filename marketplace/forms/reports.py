"""Forms of reports: a visitor reports an entry, a curator decides on the report."""

from __future__ import annotations

from wtforms import EmailField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..services.checks import EMAIL_MAX
from ..services.reports import (
    DECISIONS,
    NOTE_MAX,
    REASONS,
    REFERENCE_MAX,
    TEXT_MAX,
)
from . import Form, options


class ReportForm(Form):
    reason = RadioField(
        "What is wrong with this entry?",
        choices=options(REASONS.items()),
        validators=[DataRequired("Choose what is wrong with the entry.")],
    )
    duplicate_of = StringField(
        "The other entry (for a duplicate)",
        validators=[Length(max=REFERENCE_MAX)],
        description="Its address on this site, e.g. https://…/solutions/its-name, or its name "
        "at the end of that address.",
    )
    text = TextAreaField(
        "What should the curators know?",
        validators=[Length(max=TEXT_MAX, message=f"Keep it to {TEXT_MAX} characters.")],
        description=f"What is outdated or incorrect, and what is right, if you know; at most "
        f"{TEXT_MAX} characters. Needed unless you name the entry this one duplicates.",
    )
    reporter_email = EmailField(
        "Your email (optional)",
        validators=[
            Optional(),
            Length(max=EMAIL_MAX),
            Email("Enter a valid email address, or leave the field empty."),
        ],
        description="Only the curators see it, in case they have a question. No account is needed.",
    )


class DecisionForm(Form):
    decision = RadioField(
        "Decision",
        choices=options(DECISIONS.items()),
        validators=[DataRequired("Choose a decision.")],
    )
    target = StringField(
        "Entry to merge into (for a merge)",
        validators=[Length(max=REFERENCE_MAX)],
        description="The address or name of the published entry that stays; this entry is "
        "archived and its “used by” cities move there.",
    )
    note = TextAreaField(
        "Note",
        validators=[
            DataRequired("Write a note explaining the decision."),
            Length(max=NOTE_MAX, message=f"Keep the note to {NOTE_MAX} characters."),
        ],
        description="Kept with the report and in the audit log; for an archive, also the reason "
        "recorded on the entry.",
    )
