"""The curators' import page: upload a file, read its dry run, then import what it showed."""

from __future__ import annotations

from pathlib import PurePath

from flask import Blueprint, current_app, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from ..forms import accepts_upload, keeps_input
from ..forms.imports import ImportForm, RunForm
from ..i18n import format_number, term_label
from ..services import import_uploads, imports, taxonomy
from ..services.cities import all_cities
from ..services.errors import NotFound
from ..services.import_formats import READERS
from ..services.import_rows import UnreadableFile
from ..text import clean_line

bp = Blueprint("imports", __name__, url_prefix="/curate/import")

SESSION_KEY = "import_token"  # the kept file this browser's dry run showed


def _form(**kwargs) -> ImportForm:
    formats = [(name, str(label)) for name, (label, _reader) in READERS.items()]
    cities = [(city.slug, city.name) for city in all_cities()]
    challenges = [
        (challenge.slug, f"{term_label(track)}: {term_label(challenge)}")
        for track in taxonomy.tracks()
        for challenge in track.challenges
        if not challenge.retired
    ]
    return ImportForm(formats, cities, challenges, **kwargs)


def _page(form: ImportForm, status: int = 200, **context):
    return render_template(
        "imports/page.html",
        form=form,
        labels=imports.ACTION_LABELS,
        done_labels=imports.OUTCOME_LABELS,
        **context,
    ), status


def _file_name(raw: str | None) -> str:
    name = clean_line(PurePath((raw or "").replace("\\", "/")).name)[:100]
    return name or "upload"


def _plan(upload: import_uploads.Upload) -> imports.ImportPlan:
    """:raises UnreadableFile: see the reader, or more rows than a page request imports."""
    reader = READERS[upload.form][1] if upload.form in READERS else READERS["csv"][1]
    imports.require_importer(current_user)
    rows = imports.given_challenges(reader(upload.name, upload.data), list(upload.challenges))
    limit = current_app.config["IMPORT_PAGE_MAX_ROWS"]
    if len(rows) > limit:
        raise UnreadableFile(
            _(
                "%(name)s has %(rows)s rows; this page imports at most %(max)s at once. Split "
                "the file, or import it with the command flask import csv.",
                name=upload.name,
                rows=format_number(len(rows)),
                max=format_number(limit),
            )
        )
    return imports.plan(rows, current_user, imports.city_by_slug(upload.city), upload.name)


@bp.route("", methods=["GET", "POST"])
@keeps_input
@accepts_upload
@login_required
def page():
    imports.require_importer(current_user)
    form = _form()
    if request.method == "GET" or not form.validate_on_submit():
        return _page(form, 400 if request.method == "POST" else 200)
    name = _file_name(form.upload.data.filename)
    try:
        data = imports.read_bounded(form.upload.data.stream)
        upload = import_uploads.Upload(
            "", name, form.form.data, form.city.data, data, tuple(form.challenges.data or ())
        )
        plan = _plan(upload)
    except UnreadableFile as error:
        form.upload.errors = [str(error)]
        return _page(form, 400)
    token = import_uploads.keep(upload, current_user)
    session[SESSION_KEY] = token
    run_form = RunForm(formdata=None, token=token, fingerprint=plan.fingerprint())
    return _page(form, plan=plan, run_form=run_form)


@bp.post("/run")
@login_required
def run():
    imports.require_importer(current_user)
    run_form = RunForm()
    form = _form(formdata=None)
    token = run_form.token.data or ""
    if not run_form.validate_on_submit() or token != session.get(SESSION_KEY):
        form.form_errors.append(
            _("The check this import belonged to has expired: upload the file and check it again.")
        )
        return _page(form, 400)
    try:
        upload = import_uploads.load(current_user, token)
        plan = _plan(upload)
    except (NotFound, UnreadableFile) as error:
        form.form_errors.append(str(error))
        return _page(form, 400)
    if plan.fingerprint() != run_form.fingerprint.data:
        run_form = RunForm(formdata=None, token=token, fingerprint=plan.fingerprint())
        form.form_errors.append(
            _(
                "The catalogue changed since your check, so nothing was imported: here is the "
                "new dry run. Import again if it is what you want."
            )
        )
        return _page(form, 409, plan=plan, run_form=run_form)
    summary = imports.apply(plan, current_user)
    import_uploads.discard(token)
    session.pop(SESSION_KEY, None)
    return _page(form, summary=summary)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge):
    """An upload past the request limit: the page again with the reason, not a bare 413."""
    form = _form(formdata=None)
    form.upload.errors = [imports.too_large_message()]
    return _page(form, 413)
