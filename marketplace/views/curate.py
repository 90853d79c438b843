"""Curation: the moderation queue, the review page with decisions, bulk actions, the audit log."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..services import audit, curation, publishing, reports, revision_diff
from ..services.errors import InvalidTransition, ValidationFailed
from .ids import parse_id
from .paging import paginate

bp = Blueprint("curate", __name__, url_prefix="/curate")


def _seen_version(raw: str | None) -> int | None:
    """The version the curator saw: None when not given, -1 (outdated) when unreadable."""
    if raw is None:
        return None
    version = parse_id(raw)
    return -1 if version is None else version


def _version() -> int | None:
    return _seen_version(request.form.get("version"))


@bp.get("")
@login_required
def queue():
    filters = {name: request.args.get(name, "") for name in ("track", "city", "kind")}
    found = curation.queue(current_user, **filters)
    return render_template(
        "curate/queue.html",
        queue=found,
        filters=filters,
        labels=curation.filter_labels(),
        stale=curation.stale(current_user),
        reports_open=reports.open_count(),
    )


@bp.get("/entries/<id:entry_id>")
@login_required
def review(entry_id: int):
    solution = curation.get_for_review(current_user, entry_id)
    return render_template(
        "curate/review.html",
        solution=solution,
        changes=revision_diff.changes(solution),
        history=publishing.history(solution),
        author=curation.author_of(solution),
    )


def _back(entry_id: int):
    return redirect(url_for("curate.review", entry_id=entry_id))


def _refused(entry_id: int, error: Exception):
    flash(str(error), "error")
    return _back(entry_id)


@bp.post("/entries/<id:entry_id>/decide")
@login_required
def decide(entry_id: int):
    decision = request.form.get("decision", "")
    try:
        mailed = curation.decide(
            current_user, entry_id, decision, request.form.get("comment", ""), _version()
        )
    except (ValidationFailed, InvalidTransition) as error:
        return _refused(entry_id, error)
    flash(str(curation.DECISION_DONE[decision]), "success")
    if not mailed:
        flash(
            _("The author could not be mailed; they see the decision on their dashboard."), "error"
        )
    return redirect(url_for("curate.queue"))


@bp.post("/entries/<id:entry_id>/archive")
@login_required
def archive(entry_id: int):
    try:
        curation.archive(current_user, entry_id, request.form.get("reason", ""), _version())
    except (ValidationFailed, InvalidTransition) as error:
        return _refused(entry_id, error)
    flash(_("Archived: the entry is no longer public."), "success")
    return _back(entry_id)


@bp.post("/entries/<id:entry_id>/republish")
@login_required
def republish(entry_id: int):
    try:
        curation.republish(current_user, entry_id, request.form.get("comment", ""), _version())
    except InvalidTransition as error:
        return _refused(entry_id, error)
    flash(_("Published again."), "success")
    return _back(entry_id)


@bp.post("/entries/<id:entry_id>/feature")
@login_required
def feature(entry_id: int):
    featured = request.form.get("featured") == "1"
    try:
        curation.set_featured(current_user, entry_id, featured)
    except InvalidTransition as error:
        return _refused(entry_id, error)
    flash(_("Featured on the home page.") if featured else _("No longer featured."), "success")
    return _back(entry_id)


@bp.post("/bulk")
@login_required
def bulk():
    curation.require_moderator(current_user)
    # Each checkbox carries "id:version" (the version the curator saw in the queue).
    selected = {}
    for value in request.form.getlist("entry"):
        raw_id, colon, version = value.partition(":")
        entry_id = parse_id(raw_id)
        if entry_id is not None:
            selected[entry_id] = _seen_version(version if colon else None)
    ids = list(selected)
    if not ids:
        flash(_("Select at least one entry."), "error")
        return redirect(url_for("curate.queue"))
    try:
        done, refused = curation.bulk(current_user, request.form.get("action", ""), selected)
    except ValidationFailed as error:
        flash(str(error), "error")
        return redirect(url_for("curate.queue"))
    if done:
        titles = ", ".join(done)
        flash(
            ngettext(
                "Done for %(num)d: %(titles)s.",
                "Done for %(num)d: %(titles)s.",
                len(done),
                titles=titles,
            ),
            "success",
        )
    for message in refused:
        flash(message, "error")
    return redirect(url_for("curate.queue"))


def _audit_filter() -> audit.AuditFilter:
    def day(name: str):
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    return audit.AuditFilter(
        actor=request.args.get("actor", ""),
        entry=request.args.get("entry", ""),
        action=request.args.get("action", ""),
        since=day("since"),
        until=day("until"),
    )


@bp.get("/audit")
@login_required
def audit_log():
    wanted = _audit_filter()
    events = paginate(audit.events(current_user, wanted))
    return render_template("curate/audit.html", events=events, wanted=wanted)


@bp.get("/audit.csv")
@login_required
def audit_csv():
    lines = audit.csv_lines(current_user, _audit_filter())
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
    )
