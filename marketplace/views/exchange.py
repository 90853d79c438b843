"""Between cities: "our city adopted this" and "contact the city" on an entry page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import attach_error, keeps_input
from ..forms.exchange import AdoptForm, ConfirmForm, ContactForm, VisitorContactForm
from ..services import catalogue, exchange, visitor_contact
from ..services.errors import ValidationFailed

bp = Blueprint("exchange", __name__, url_prefix="/solutions")


@bp.post("/<slug>/adopt")
@login_required
def adopt(slug: str):
    solution = catalogue.get_visible(slug, current_user)
    form = AdoptForm()
    if form.validate_on_submit():
        exchange.adopt(current_user, solution, form.note.data or "")
        flash(
            _("%(city)s is now listed as a user of this entry.", city=current_user.city.name),
            "success",
        )
        return redirect(url_for("catalogue.detail", slug=slug, _anchor="used-title"))
    flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("catalogue.detail", slug=slug, _anchor="adopt"))


@bp.post("/<slug>/unadopt")
@login_required
def unadopt(slug: str):
    solution = catalogue.get_visible(slug, current_user)
    exchange.unadopt(current_user, solution)
    flash(
        _("%(city)s is no longer listed as a user of this entry.", city=current_user.city.name),
        "success",
    )
    return redirect(url_for("catalogue.detail", slug=slug, _anchor="used-title"))


@bp.route("/<slug>/contact", methods=["GET", "POST"])
@keeps_input
def contact(slug: str):
    solution = catalogue.get_visible(slug, current_user)
    if not current_user.is_authenticated:
        return _visitor_contact(solution)
    exchange.require_contact(current_user, solution)
    form = ContactForm()
    status = 200
    if form.validate_on_submit():
        try:
            exchange.send_message(current_user, solution, form.subject.data, form.message.data)
        except ValidationFailed as error:
            attach_error(form, error)
        except (exchange.TooManyMessages, exchange.NotDelivered) as error:
            form.form_errors.append(str(error))
            status = error.status_code
        else:
            flash(
                _("Your message was sent to the contact of “%(title)s”.", title=solution.title),
                "success",
            )
            return redirect(url_for("catalogue.detail", slug=slug))
    if request.method == "POST" and status == 200:
        status = 400
    return render_template("exchange/contact.html", form=form, solution=solution), status


def _visitor_contact(solution):
    """A visitor's message: kept until they confirm their address through the mailed link."""
    visitor_contact.require_visitor_contact(current_user, solution)
    form = VisitorContactForm()
    status = 200
    if form.validate_on_submit():
        try:
            visitor_contact.request_message(
                current_user,
                solution,
                form.name.data,
                form.email.data,
                form.subject.data,
                form.message.data,
                request.remote_addr,
            )
        except ValidationFailed as error:
            attach_error(form, error)
        except exchange.TooManyMessages as error:
            form.form_errors.append(str(error))
            status = error.status_code
        else:
            return render_template(
                "exchange/visitor_sent.html",
                solution=solution,
                email=form.email.data,
                hours=visitor_contact.confirm_hours(),
            )
    if request.method == "POST" and status == 200:
        status = 400
    return render_template("exchange/contact.html", form=form, solution=solution), status


@bp.route("/contact/confirm/<token>", methods=["GET", "POST"])
def visitor_confirm(token: str):
    """The link mailed to a visitor: shows the message; its button (a POST) forwards it."""
    message = visitor_contact.pending(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        visitor_contact.confirm(token)
        flash(_("Thank you: your message was sent. Replies will come to your address."), "success")
        return redirect(url_for("catalogue.detail", slug=message.solution.slug))
    return render_template("exchange/visitor_confirm.html", message=message, form=form)
