"""Forms for signing in, choosing a password and asking for a reset link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..services.accounts import PASSWORD_MAX, PASSWORD_MIN
from . import Form


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class ResetRequestForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))])


def new_password_fields(label: LazyString, name: str = "password"):
    """A password field called ``name`` and its confirmation, with the site's length rules."""
    password = PasswordField(
        label,
        validators=[
            DataRequired(_l("Choose a password.")),
            # WTForms fills in %(min)d and %(max)d.
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=_l("Use between %(min)d and %(max)d characters."),
            ),
        ],
        description=_l(
            "At least %(min)d characters; a few unrelated words work well.", min=PASSWORD_MIN
        ),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo(name, _l("The two passwords are not the same."))],
    )
    return password, confirm


class SetPasswordForm(Form):
    password, confirm = new_password_fields(_l("Password"))
