"""Forms of the account page: name, email, password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from . import Form
from .auth import new_password_fields

_current = PasswordField(
    _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
)


class ProfileForm(Form):
    display_name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Your name cannot be empty.")), Length(max=120)],
        description=_l("Shown to curators and on messages you send to other cities."),
    )


class EmailForm(Form):
    email = EmailField(_l("New email"), validators=[DataRequired(_l("Enter the new address."))])
    current_password = _current


class PasswordForm(Form):
    current_password = _current
    new_password, confirm = new_password_fields(_l("New password"), "new_password")
