"""Saved searches: saving the current search, the mailed confirmation and unsubscribe links,
and an account's changes to its own."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import limits
from ..extensions import csrf
from ..forms import attach_error, keeps_input
from ..forms.alerts import AccountSaveSearchForm, DeleteForm, FrequencyForm, SaveSearchForm
from ..forms.exchange import ConfirmForm
from ..permissions import skips_alert_confirmation
from ..services import alerts
from ..services.errors import ValidationFailed
from .search_args import search_request

bp = Blueprint("alerts", __name__, url_prefix="/alerts")


@bp.route("/new", methods=["GET", "POST"])
@keeps_input
def new():
    """The search of the query string (the results page's parameters), saved with an address."""
    search = search_request(request.args)
    trusted = skips_alert_confirmation(current_user)
    form = AccountSaveSearchForm() if trusted else SaveSearchForm()
    status = 200
    if form.validate_on_submit():
        email = "" if trusted else form.email.data
        try:
            saved = alerts.save_search(
                current_user, search, email, form.frequency.data, request.remote_addr
            )
        except ValidationFailed as error:
            attach_error(form, error)
        except limits.RateLimited as error:
            form.form_errors.append(str(error))
            response = make_response(_page(form, search), 429)
            response.headers["Retry-After"] = str(error.retry_after)
            return response
        else:
            if trusted:
                flash(_("Your search is saved: digests come to %(email)s.", email=saved.email),
                      "success")  # fmt: skip
                return redirect(url_for("account.index", _anchor="saved-searches"))
            return render_template(
                "alerts/sent.html", email=saved.email, hours=alerts.confirm_hours()
            )
    if request.method == "POST":
        status = 400
    return _page(form, search), status


def _page(form, search) -> str:
    return render_template(
        "alerts/new.html", form=form, description=alerts.describe_request(search)
    )


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """The link mailed to a visitor: shows the search; its button (a POST) starts the digests,
    so a mail scanner following the link starts nothing."""
    saved = alerts.pending(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        saved = alerts.confirm(token)
        return render_template("alerts/confirmed.html", saved=saved)
    return render_template("alerts/confirm.html", saved=saved, form=form)


# CSRF: exempt, this one view only. RFC 8058's one-click unsubscribe is a POST from the mail
# client, with no session and no form token; the signed token in the address authenticates it
# instead. It can only delete the one saved search that token names, so a forged cross-site
# POST achieves nothing without the token, and with it nothing its holder could not do.
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """GET: what would stop, with a button; POST (the button, or the mail client's one-click
    request): delete it. Both answer as well for a search deleted already."""
    if request.method == "POST":
        removed = alerts.unsubscribe(token)
        return render_template("alerts/unsubscribed.html", removed=removed)
    saved = alerts.subscribed(token)
    return render_template("alerts/unsubscribe.html", saved=saved)


@bp.post("/<id:saved_id>/frequency")
@login_required
def frequency(saved_id: int):
    saved = alerts.get_manageable(current_user, saved_id)
    form = FrequencyForm()
    if form.validate_on_submit():
        alerts.change_frequency(current_user, saved, form.frequency.data)
        flash(_("How often the digest comes is changed."), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("account.index", _anchor="saved-searches"))


@bp.post("/<id:saved_id>/delete")
@login_required
def delete(saved_id: int):
    saved = alerts.get_manageable(current_user, saved_id)
    form = DeleteForm()
    if form.validate_on_submit():
        alerts.delete(current_user, saved)
        flash(_("The saved search is deleted: no more digests of it."), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("account.index", _anchor="saved-searches"))
