"""Between cities: "our city adopted this" and "contact the city" on an entry page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..forms import attach_error, keeps_input
from ..forms.exchange import AdoptForm, ContactForm
from ..services import catalogue, exchange
from ..services.errors import ValidationFailed

bp = Blueprint("exchange", __name__, url_prefix="/solutions")


@bp.post("/<slug>/adopt")
@login_required
def adopt(slug: str):
    solution = catalogue.get_visible(slug, current_user)
    form = AdoptForm()
    if form.validate_on_submit():
        exchange.adopt(current_user, solution, form.note.data or "")
        flash(f"{current_user.city.name} is now listed as a user of this entry.", "success")
        return redirect(url_for("catalogue.detail", slug=slug, _anchor="used-title"))
    flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("catalogue.detail", slug=slug, _anchor="adopt"))


@bp.post("/<slug>/unadopt")
@login_required
def unadopt(slug: str):
    solution = catalogue.get_visible(slug, current_user)
    exchange.unadopt(current_user, solution)
    flash(f"{current_user.city.name} is no longer listed as a user of this entry.", "success")
    return redirect(url_for("catalogue.detail", slug=slug, _anchor="used-title"))


@bp.route("/<slug>/contact", methods=["GET", "POST"])
@keeps_input
@login_required
def contact(slug: str):
    solution = catalogue.get_visible(slug, current_user)
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
            flash(f"Your message was sent to the contact of “{solution.title}”.", "success")
            return redirect(url_for("catalogue.detail", slug=slug))
    if request.method == "POST" and status == 200:
        status = 400
    return render_template("exchange/contact.html", form=form, solution=solution), status
