"""Forms of reports: a visitor reports an entry, a curator decides on the report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
        _l("What is wrong with this entry?"),
        choices=options(REASONS.items()),
        validators=[DataRequired(_l("Choose what is wrong with the entry."))],
    )
    duplicate_of = StringField(
        _l("The other entry (for a duplicate)"),
        validators=[Length(max=REFERENCE_MAX)],
        description=_l(
            "Its address on this site, e.g. https://…/solutions/its-name, or its name "
            "at the end of that address."
        ),
    )
    text = TextAreaField(
        _l("What should the curators know?"),
        # WTForms fills in %(max)d.
        validators=[Length(max=TEXT_MAX, message=_l("Keep it to %(max)d characters."))],
        description=_l(
            "What is outdated or incorrect, and what is right, if you know; at most "
            "%(max)d characters. Needed unless you name the entry this one duplicates.",
            max=TEXT_MAX,
        ),
    )
    reporter_email = EmailField(
        _l("Your email (optional)"),
        validators=[
            Optional(),
            Length(max=EMAIL_MAX),
            Email(_l("Enter a valid email address, or leave the field empty.")),
        ],
        description=_l(
            "Only the curators see it, in case they have a question. No account is needed."
        ),
    )


class DecisionForm(Form):
    decision = RadioField(
        _l("Decision"),
        choices=options(DECISIONS.items()),
        validators=[DataRequired(_l("Choose a decision."))],
    )
    target = StringField(
        _l("Entry to merge into (for a merge)"),
        validators=[Length(max=REFERENCE_MAX)],
        description=_l(
            "The address or name of the published entry that stays; this entry is "
            "archived and its “used by” cities move there."
        ),
    )
    note = TextAreaField(
        _l("Note"),
        validators=[
            DataRequired(_l("Write a note explaining the decision.")),
            Length(max=NOTE_MAX, message=_l("Keep the note to %(max)d characters.")),
        ],
        description=_l(
            "Kept with the report and in the audit log; for an archive, also the reason "
            "recorded on the entry."
        ),
    )
