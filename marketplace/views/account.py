"""The signed-in user's own account: name, email, password, saved searches."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import attach_error, keeps_input
from ..forms.account import EmailForm, PasswordForm, ProfileForm
from ..forms.alerts import DeleteForm, FrequencyForm
from ..forms.exchange import ConfirmForm
from ..services import accounts, alerts
from ..services.errors import ValidationFailed
from .auth import start_session

bp = Blueprint("account", __name__, url_prefix="/account")

# Each form posts its own name in a hidden "form" field, so only that one is validated.
FORMS = {"profile": ProfileForm, "email": EmailForm, "password": PasswordForm}


def _apply(name: str, form, user) -> str:
    if name == "profile":
        accounts.update_profile(user, form.display_name.data)
        return _("Your name is saved.")
    if name == "email":
        new = accounts.change_email(user, form.current_password.data, form.email.data)
        return _(
            "We sent a link to %(new)s. Your address stays %(old)s until you follow it "
            "(we told %(old)s about the request too).",
            new=new,
            old=user.email,
        )
    accounts.change_password(user, form.current_password.data, form.new_password.data)
    start_session(user)  # every other session ended; this one continues on a fresh cookie
    return _("Your password is changed. Other devices have been signed out.")


@bp.route("", methods=["GET", "POST"])
@keeps_input
@login_required
def index():
    user = current_user._get_current_object()
    posted = request.form.get("form") if request.method == "POST" else None
    forms = {
        name: cls(prefix=name)
        if name == posted
        else cls(formdata=None, prefix=name, obj=user if name == "profile" else None)
        for name, cls in FORMS.items()
    }
    status = 200
    if posted in FORMS:
        form = forms[posted]
        if form.validate_on_submit():
            try:
                message = _apply(posted, form, user)
            except ValidationFailed as error:
                attach_error(form, error)
            else:
                flash(message, "success")
                return redirect(url_for("account.index"))
        status = 400
    saved = [
        (search, FrequencyForm(formdata=None, obj=search), DeleteForm(formdata=None))
        for search in alerts.of_account(user)
    ]
    return render_template("account/index.html", forms=forms, user=user, saved=saved), status


@bp.route("/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link mailed to a new address: shows the change; its button (a POST) makes it, so a
    mail scanner following the link changes nothing. Signed in or not: the link is the proof."""
    user, new = accounts.pending_email(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        user = accounts.confirm_email_change(token)
        flash(_("Your email address is now %(email)s; use it to sign in.", email=user.email),
              "success")  # fmt: skip
        signed_in = current_user.is_authenticated and current_user.id == user.id
        return redirect(url_for("account.index" if signed_in else "auth.login"))
    return render_template("account/confirm_email.html", user=user, new=new, form=form)
