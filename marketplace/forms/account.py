"""Forms of the account page: name, email, password."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from . import Form
from .auth import new_password_fields

_current = PasswordField(
    "Current password", validators=[DataRequired("Enter your current password.")]
)


class ProfileForm(Form):
    display_name = StringField(
        "Your name",
        validators=[DataRequired("Your name cannot be empty."), Length(max=120)],
        description="Shown to curators and on messages you send to other cities.",
    )


class EmailForm(Form):
    email = EmailField("New email", validators=[DataRequired("Enter the new address.")])
    current_password = _current


class PasswordForm(Form):
    current_password = _current
    new_password, confirm = new_password_fields("New password", "new_password")
