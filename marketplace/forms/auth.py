"""Forms for signing in, choosing a password and asking for a reset link."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..services.accounts import PASSWORD_MAX, PASSWORD_MIN
from . import Form


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


class ResetRequestForm(Form):
    email = EmailField("Email", validators=[DataRequired("Enter your email address.")])


def new_password_fields(label: str, name: str = "password"):
    """A password field called ``name`` and its confirmation, with the site's length rules."""
    password = PasswordField(
        label,
        validators=[
            DataRequired("Choose a password."),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=f"Use between {PASSWORD_MIN} and {PASSWORD_MAX} characters.",
            ),
        ],
        description=f"At least {PASSWORD_MIN} characters; a few unrelated words work well.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[EqualTo(name, "The two passwords are not the same.")],
    )
    return password, confirm


class SetPasswordForm(Form):
    password, confirm = new_password_fields("Password")
