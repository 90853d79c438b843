"""Sign-in, sign-out, invitations and password resets."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import limits, mail
from ..forms import attach_error, keeps_input
from ..forms.auth import LoginForm, ResetRequestForm, SetPasswordForm
from ..i18n import current_language
from ..services import accounts
from ..services.errors import ValidationFailed
from ..services.tokens import InvalidToken, user_for_token

bp = Blueprint("auth", __name__)


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` when it is a path on this site, else ``fallback`` (no open redirects)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(c) < 32 for c in target):
        return fallback
    return target


def landing(user) -> str:
    """Where a user goes after signing in without a ``next``: publishers to their dashboard."""
    return url_for("publish.dashboard") if user.city_id else url_for("account.index")


def limited(template: str, form, error: limits.RateLimited):
    """The form page again, with what was typed and the rate limit's message: 429, Retry-After."""
    form.form_errors.append(str(error))
    response = make_response(render_template(template, form=form), 429)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def start_session(user, remember: bool = False) -> None:
    """Sign ``user`` in on a fresh session (nothing of the anonymous session carries over)."""
    session.clear()
    session.permanent = True
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@keeps_input
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), landing(current_user)))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            attempt = limits.start_sign_in(form.email.data, request.remote_addr)
        except limits.RateLimited as error:
            return limited("auth/login.html", form, error)
        user = accounts.authenticate(form.email.data, form.password.data, current_language())
        if user is None:
            form.form_errors.append(_("The email or the password is not correct."))
        else:
            limits.signed_in(attempt)
            start_session(user, remember=form.remember.data)
            flash(_("Signed in as %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(form.next.data, landing(user)))
    return render_template("auth/login.html", form=form), 400 if request.method == "POST" else 200


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        accounts.sign_out(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("main.home"))


def _set_password_page(token: str, purpose: str, template: str):
    try:
        user = user_for_token(token, purpose)  # type: ignore[arg-type]
    except InvalidToken as error:
        return render_template("auth/link_invalid.html", message=str(error), purpose=purpose), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.set_password_with_token(
                token, purpose, form.password.data, current_language()
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            start_session(user)
            flash(_("Your password is set and you are signed in."), "success")
            return redirect(landing(user))
    status = 400 if request.method == "POST" else 200
    return render_template(template, form=form, user=user, token=token), status


@bp.route("/invite/<token>", methods=["GET", "POST"])
@keeps_input
def invitation(token: str):
    return _set_password_page(token, "invite", "auth/invitation.html")


@bp.route("/reset", methods=["GET", "POST"])
@keeps_input
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            limits.count_reset_request(form.email.data, request.remote_addr)
        except limits.RateLimited as error:
            return limited("auth/reset_request.html", form, error)
        response = make_response(render_template("auth/reset_sent.html", email=form.email.data))
        if address := accounts.reset_address(form.email.data):
            # Known or not, the address costs this request the same: the lookup and the mail
            # come after the response.
            mail.after_response(
                response, lambda: accounts.send_password_reset(address), "password reset mail"
            )
        return response
    status = 400 if request.method == "POST" else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@keeps_input
def reset(token: str):
    return _set_password_page(token, "reset", "auth/reset.html")
