"""Forms of saved searches: saving the current search, and changing how often it comes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField
from wtforms.validators import DataRequired, Length

from ..services.checks import EMAIL_MAX
from ..vocab import ALERT_FREQUENCIES
from . import Form, options


def _frequency() -> RadioField:
    return RadioField(
        _l("How often"),
        choices=options(ALERT_FREQUENCIES.items()),
        default="weekly",
        validators=[DataRequired(_l("Choose daily or weekly."))],
        description=_l("A mail only when something new or updated matches."),
    )


class SaveSearchForm(Form):
    """A visitor's: the address to mail, which they confirm through a link first."""

    email = EmailField(
        _l("Your email address"),
        validators=[DataRequired(_l("Give your email address.")), Length(max=EMAIL_MAX)],
        description=_l("We mail you a link to confirm it; nothing else is sent before."),
    )
    frequency = _frequency()


class AccountSaveSearchForm(Form):
    """A signed-in account's: its digests go to its own address."""

    frequency = _frequency()


class FrequencyForm(Form):
    frequency = _frequency()


class DeleteForm(Form):
    """Only the CSRF token: deleting is a POST."""
