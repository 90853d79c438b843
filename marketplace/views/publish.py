"""City publishing: the dashboard, the entry form with preview, and the author's actions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import permissions
from ..extensions import login_manager
from ..forms import attach_error, keeps_input
from ..forms.city import CityProfileForm
from ..forms.entry import EntryForm
from ..models import Solution
from ..services import cities, curation, entries, images, publishing, taxonomy
from ..services.errors import InvalidTransition, ValidationFailed

bp = Blueprint("publish", __name__)

SAVED = {
    "saved": "Draft saved. Only your city and the curators can see it.",
    "submitted": "Submitted for review. A curator will look at it; you will see the outcome here.",
    "revision": "Your changes are saved beside the published version, which the public keeps "
    "seeing until a curator approves them.",
    "curator": "The entry is changed (logged as a curator edit).",
}


@bp.get("/my")
@login_required
def dashboard():
    groups = publishing.dashboard(current_user)
    return render_template("publish/dashboard.html", groups=groups, city=current_user.city)


def _offer_choices(form: EntryForm, own_city_id: int) -> None:
    form.set_choices(
        taxonomy.tracks(), taxonomy.services(), taxonomy.sdgs(), cities.all_cities(), own_city_id
    )


def _keep_upload(form: EntryForm) -> None:
    """Store a newly uploaded image at once, so a form shown again keeps it."""
    upload = form.image.data
    if upload and getattr(upload, "filename", ""):
        try:
            form.image_name.data = images.store(upload.stream)
            form.remove_image.data = False
        except ValidationFailed as error:
            attach_error(form, error)
    if form.image_name.data and not images.is_stored(form.image_name.data):
        form.image_name.data = ""


def _signed_out_form(solution_id: int | None):
    """A POST whose session ended: show the typed entry again instead of losing it."""
    form = EntryForm()
    _offer_choices(form, 0)
    form.validate()
    return (
        render_template(
            "publish/form.html", form=form, solution=None, entry_id=solution_id, signed_out=True
        ),
        401,
    )


def _entry_form(solution: Solution | None):
    user = current_user._get_current_object()
    city = solution.city if solution is not None else user.city
    # Curators editing another city's entry change it directly (logged), without a revision.
    curator_mode = solution is not None and not permissions.can_publish_for_city(user)
    if request.method != "POST":
        has_revision = solution is not None and solution.revision is not None
        # The author sees their pending changes; a curator edits the entry itself.
        source = solution.revision.data if has_revision and not curator_mode else None
        data = source or (entries.snapshot(solution) if solution else {"contact_public": True})
        form = EntryForm(data={**data, "image_name": data.get("image", "")})
    else:
        form = EntryForm()
    _offer_choices(form, city.id)
    preview = duplicates = None
    if request.method == "POST":
        valid = form.validate_on_submit()
        action = request.form.get("action", "save")
        submit = action == "submit"
        _keep_upload(form)
        valid = valid and not form.image.errors
        data = form.to_data()
        # The service's rules too, so every problem shows at once, next to its field.
        problems = entries.problems(data, submit)
        form.add_problems({k: v for k, v in problems.items() if not form[k].errors})
        if not valid or problems:
            pass
        elif action == "preview":
            preview = entries.preview(data, city)
        elif (
            submit
            and not form.not_duplicate.data
            and (
                duplicates := publishing.possible_duplicates(
                    data, solution.id if solution is not None else None
                )
            )
        ):
            pass  # listed above the buttons; the author confirms and submits again
        else:
            try:
                if solution is None:
                    solution = publishing.create_entry(user, data, submit)
                    outcome = "submitted" if submit else "saved"
                elif curator_mode:
                    curation.curator_edit(user, solution, data)
                    outcome = "curator"
                else:
                    outcome = publishing.save_entry(user, solution, data, submit)
            except ValidationFailed as error:
                attach_error(form, error)
            except InvalidTransition as error:
                form.form_errors.append(str(error))
            else:
                flash(SAVED[outcome], "success")
                if outcome == "curator":
                    return redirect(url_for("curate.review", entry_id=solution.id))
                return redirect(url_for("publish.entry", entry_id=solution.id))
    status = 400 if form.errors else 200
    return render_template(
        "publish/form.html",
        form=form,
        solution=solution,
        entry_id=solution.id if solution is not None else None,
        preview=preview,
        duplicates=duplicates,
        curator_mode=curator_mode,
    ), status


@bp.route("/my/entries/new", methods=["GET", "POST"])
@keeps_input
def new():
    if not current_user.is_authenticated:
        if request.method == "POST":
            return _signed_out_form(None)
        return login_manager.unauthorized()
    publishing.require_city(current_user)
    return _entry_form(None)


@bp.route("/my/entries/<id:entry_id>/edit", methods=["GET", "POST"])
@keeps_input
def edit(entry_id: int):
    if not current_user.is_authenticated:
        if request.method == "POST":
            return _signed_out_form(entry_id)
        return login_manager.unauthorized()
    return _entry_form(publishing.get_own(current_user, entry_id))


@bp.get("/my/entries/<id:entry_id>")
@login_required
def entry(entry_id: int):
    solution = publishing.get_own(current_user, entry_id)
    pending = None
    if solution.revision is not None:
        pending = entries.preview(solution.revision.data, solution.city)
    return render_template(
        "publish/entry.html",
        solution=solution,
        pending=pending,
        history=publishing.history(solution),
    )


def _action(entry_id: int, act, message: str):
    solution = publishing.get_own(current_user, entry_id)
    act(current_user, solution)
    flash(message, "success")
    return redirect(url_for("publish.entry", entry_id=entry_id))


@bp.post("/my/entries/<id:entry_id>/withdraw")
@login_required
def withdraw(entry_id: int):
    return _action(entry_id, publishing.withdraw, "Withdrawn: you can edit it again.")


@bp.post("/my/entries/<id:entry_id>/archive")
@login_required
def archive(entry_id: int):
    return _action(entry_id, publishing.archive, "Archived: the entry is no longer public.")


@bp.post("/my/entries/<id:entry_id>/discard")
@login_required
def discard(entry_id: int):
    return _action(
        entry_id,
        publishing.discard_revision,
        "Pending changes discarded; the public version stays.",
    )


@bp.route("/my/city", methods=["GET", "POST"])
@keeps_input
@login_required
def city_profile():
    city = cities.get_city_for_editing(current_user)
    form = CityProfileForm(obj=city)
    if form.validate_on_submit():
        try:
            cities.update_profile(
                current_user,
                city,
                form.profile.data or "",
                form.website.data or "",
                form.population.data,
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash("The city profile is saved.", "success")
            return redirect(url_for("cities.detail", slug=city.slug))
    status = 400 if form.errors else 200
    return render_template("publish/city.html", form=form, city=city), status
