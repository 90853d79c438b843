"""City publishing: the dashboard, the entry form with preview, and the author's actions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..extensions import login_manager
from ..forms import accepts_upload, attach_error, keeps_input
from ..forms.city import CityProfileForm
from ..forms.entry import EntryForm, TranslationForm
from ..i18n import language_name
from ..models import Solution
from ..numbers import parse_id
from ..services import cities, entries, publishing, taxonomy, translations
from ..services.errors import ValidationFailed
from ..vocab import Status

bp = Blueprint("publish", __name__)

SAVED = {
    "saved": _l("Draft saved. Only your city and the curators can see it."),
    "submitted": _l(
        "Submitted for review. A curator will look at it; you will see the outcome here."
    ),
    "revision": _l(
        "Your changes are saved beside the published version, which the public keeps "
        "seeing until a curator approves them."
    ),
    "curator": _l("The entry is changed (logged as a curator edit)."),
}


@bp.get("/my")
@login_required
def dashboard():
    groups = publishing.dashboard(current_user)
    return render_template("publish/dashboard.html", groups=groups, city=current_user.city)


def _offer_choices(form: EntryForm) -> None:
    form.set_choices(taxonomy.tracks(), taxonomy.services(), taxonomy.sdgs())


def _signed_out_form(solution_id: int | None):
    """A POST whose session ended: show the typed entry again instead of losing it."""
    form = EntryForm()
    _offer_choices(form)
    form.validate()
    return (
        render_template(
            "publish/form.html", form=form, solution=None, entry_id=solution_id, signed_out=True
        ),
        401,
    )


def _entry_form(solution: Solution | None):
    """Parse the entry form, let publishing.save apply the rules, render the outcome."""
    user = current_user._get_current_object()
    state = publishing.editor_state(user, solution)
    if request.method != "POST":
        data = state.data
        form = EntryForm(
            data={**data, "image_name": data.get("image", ""), "version": state.version}
        )
    else:
        form = EntryForm()
    _offer_choices(form)
    result = None
    if request.method == "POST":
        valid = form.validate_on_submit()
        upload = form.upload()
        result = publishing.save(
            user,
            solution,
            form.to_data(),
            request.form.get("action", "save"),
            upload=upload,
            version=form.version_seen(),
            not_duplicate=bool(form.not_duplicate.data),
            checked_only=not valid,
        )
        if result.stored:
            flash(str(SAVED[result.outcome]), "success")
            if result.outcome == "curator":
                return redirect(url_for("curate.review", entry_id=result.solution.id))
            return redirect(url_for("publish.entry", entry_id=result.solution.id))
        form.add_problems(result.problems)
        if result.version is not None:  # saving again replaces the newer version on purpose
            form.version.data = str(result.version)
    status = 400 if form.errors else 200
    return render_template(
        "publish/form.html",
        form=form,
        solution=solution,
        entry_id=solution.id if solution is not None else None,
        preview=result.preview if result else None,
        duplicates=result.duplicates if result else None,
        upload_dropped=bool(result and upload is not None),
        curator_mode=state.curator_mode,
    ), status


@bp.route("/my/entries/new", methods=["GET", "POST"])
@keeps_input
@accepts_upload
def new():
    if not current_user.is_authenticated:
        if request.method == "POST":
            return _signed_out_form(None)
        return login_manager.unauthorized()
    return _entry_form(None)


@bp.route("/my/entries/<id:entry_id>/edit", methods=["GET", "POST"])
@keeps_input
@accepts_upload
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
        pending = entries.preview(entries.revision_data(solution), solution.city)
    state = publishing.editor_state(current_user, solution)
    return render_template(
        "publish/entry.html",
        solution=solution,
        pending=pending,
        history=publishing.history(solution),
        editor=state,
        public_translations=entries.snapshot(solution)["translations"],
        languages_to_add=translations.languages_to_add(state.data),
    )


TRANSLATION_SAVED = {
    "saved": _l("The translation is saved."),
    "revision": _l(
        "The translation is saved with your pending changes; the public keeps seeing the "
        "approved version. When your changes are ready, open Edit and submit them for review."
    ),
    "in_review": _l(
        "The translation is saved with your changes waiting for review; the public keeps "
        "seeing the approved version until a curator approves them."
    ),
    "curator": _l("The translation is changed (logged as a curator edit)."),
}
TRANSLATION_REMOVED = {
    "saved": _l("The translation is removed."),
    "revision": _l(
        "The translation is removed from your pending changes; the public keeps seeing it "
        "until a curator approves them. When your changes are ready, open Edit and submit "
        "them for review."
    ),
    "in_review": _l(
        "The translation is removed from your changes waiting for review; the public keeps "
        "seeing it until a curator approves them."
    ),
    "curator": _l("The translation is removed (logged as a curator edit)."),
}


def _saved_message(messages: dict, result: publishing.SaveResult) -> str:
    outcome = result.outcome
    if outcome == "revision" and translations.in_review(result.solution):
        outcome = "in_review"
    return str(messages[outcome])


@bp.get("/my/entries/<id:entry_id>/translations/add")
@login_required
def add_translation(entry_id: int):
    """The "Add a translation" form's target: on to the chosen language's page."""
    solution = publishing.get_own(current_user, entry_id)
    code = request.args.get("language", "")
    translations.editor(current_user, solution, code)  # 404 for a language not allowed
    return redirect(url_for("publish.translation", entry_id=entry_id, code=code))


def _translation_page(form: TranslationForm, entry_id: int, code: str, **context) -> str:
    return render_template(
        "publish/translation.html",
        form=form,
        entry_id=entry_id,
        code=code,
        language=language_name(code),
        **context,
    )


def _signed_out_translation(entry_id: int, code: str):
    """A POST whose session ended: show the typed translation again instead of losing it."""
    form = TranslationForm()
    form.validate()
    page = _translation_page(form, entry_id, code, page=None, solution=None, signed_out=True)
    return page, 401


@bp.route("/my/entries/<id:entry_id>/translations/<code>", methods=["GET", "POST"])
@keeps_input
def translation(entry_id: int, code: str):
    if not current_user.is_authenticated:
        if request.method == "POST":
            return _signed_out_translation(entry_id, code)
        return login_manager.unauthorized()
    user = current_user._get_current_object()
    solution = publishing.get_own(user, entry_id)
    page = translations.editor(user, solution, code)
    if request.method == "POST":
        form = TranslationForm()
        if form.validate_on_submit():
            result = translations.save(
                user, solution, code, form.to_values(), version=form.version_seen()
            )
            if result.stored:
                flash(_saved_message(TRANSLATION_SAVED, result), "success")
                return redirect(url_for("publish.entry", entry_id=entry_id))
            form.add_problems(result.problems)
            if result.version is not None:  # saving again replaces the newer version on purpose
                form.version.data = str(result.version)
    else:
        form = TranslationForm(data={**page.values, "version": page.state.version})
    editable = solution.status in (*publishing.EDITABLE, Status.PUBLISHED)
    html = _translation_page(form, entry_id, code, page=page, solution=solution, editable=editable)
    return html, (400 if form.errors else 200)


@bp.post("/my/entries/<id:entry_id>/translations/<code>/remove")
@login_required
def remove_translation(entry_id: int, code: str):
    user = current_user._get_current_object()
    solution = publishing.get_own(user, entry_id)
    version = parse_id(request.form.get("version", "").strip())
    result = translations.remove(user, solution, code, version=version)
    if result.stored:
        flash(_saved_message(TRANSLATION_REMOVED, result), "success")
    else:
        message = " ".join(result.problems.values()) or _("Nothing was changed.")
        flash(_("The translation was not removed: %(reason)s", reason=message), "error")
    return redirect(url_for("publish.entry", entry_id=entry_id))


def _action(entry_id: int, act, message: str):
    solution = publishing.get_own(current_user, entry_id)
    act(current_user, solution)
    flash(message, "success")
    return redirect(url_for("publish.entry", entry_id=entry_id))


@bp.post("/my/entries/<id:entry_id>/withdraw")
@login_required
def withdraw(entry_id: int):
    return _action(entry_id, publishing.withdraw, _("Withdrawn: you can edit it again."))


@bp.post("/my/entries/<id:entry_id>/archive")
@login_required
def archive(entry_id: int):
    return _action(entry_id, publishing.archive, _("Archived: the entry is no longer public."))


@bp.post("/my/entries/<id:entry_id>/discard")
@login_required
def discard(entry_id: int):
    return _action(
        entry_id,
        publishing.discard_revision,
        _("Pending changes discarded; the public version stays."),
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
            flash(_("The city profile is saved."), "success")
            return redirect(url_for("cities.detail", slug=city.slug))
    status = 400 if form.errors else 200
    return render_template("publish/city.html", form=form, city=city), status
