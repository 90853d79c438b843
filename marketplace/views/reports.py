"""Reports from the public: "Report this entry", and the curators' list and decisions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import attach_error, keeps_input, options
from ..forms.reports import DecisionForm, ReportForm
from ..services import reports
from ..services.errors import ValidationFailed
from ..vocab import ReportStatus
from .paging import paginate

bp = Blueprint("reports", __name__)

LABELS = {
    "reasons": reports.REASONS,
    "resolutions": reports.RESOLUTIONS,
    "statuses": reports.STATUSES,
}


@bp.route("/solutions/<slug>/report", methods=["GET", "POST"])
@keeps_input
def new(slug: str):
    solution = reports.get_reportable(slug)
    form = ReportForm()
    status = 200
    if form.validate_on_submit():
        try:
            reports.create_report(
                solution,
                form.reason.data,
                form.text.data or "",
                # Behind a reverse proxy, the deployment's ProxyFix makes this the client's.
                request.remote_addr,
                reporter_email=form.reporter_email.data or "",
                duplicate_of=form.duplicate_of.data or "",
            )
        except ValidationFailed as error:
            attach_error(form, error)
        except reports.TooManyReports as error:
            form.form_errors.append(str(error))
            status = error.status_code
        else:
            flash(
                _("Thank you. Your report was sent to the curators, who will check the entry."),
                "success",
            )
            return redirect(url_for("catalogue.detail", slug=slug))
    if request.method == "POST" and status == 200:
        status = 400
    return render_template("reports/new.html", form=form, solution=solution), status


@bp.get("/curate/reports")
@login_required
def curate_index():
    reports.require_moderator(current_user)
    status = request.args.get("status", ReportStatus.OPEN)
    if status not in reports.STATUSES:
        status = ReportStatus.OPEN
    return render_template(
        "reports/curate_index.html",
        pagination=paginate(reports.queue(status)),
        status=status,
        counts=reports.counts(),
        **LABELS,
    )


def _decided(decision: str, title: str) -> str:
    return {
        "edit": _(
            "Report resolved. Make the correction below: a curator's edit applies at once and "
            "is logged."
        ),
        "archive": _("Report resolved: “%(title)s” is archived and no longer public.", title=title),
        "merge": _(
            "Report resolved: “%(title)s” is archived and merged into the other entry.", title=title
        ),
        "dismiss": _("Report dismissed."),
    }[decision]


# No @keeps_input here: the CSRF error handler calls such a view again, and this one refuses
# publishers (403) and unknown reports (404) by raising, which the handler does not catch.
@bp.route("/curate/reports/<id:report_id>", methods=["GET", "POST"])
@login_required
def curate_review(report_id: int):
    report = reports.get_report(current_user, report_id)
    if request.method == "POST":
        reports.require_open(report)
    form = DecisionForm()
    form.decision.choices = options(reports.possible_decisions(report).items())
    if request.method != "POST" and report.duplicate_of is not None:
        form.target.data = report.duplicate_of.slug
    if form.validate_on_submit():
        decision = form.decision.data
        title = report.solution.title
        try:
            reports.decide(current_user, report, decision, form.note.data, form.target.data or "")
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_decided(decision, title), "success")
            if decision == "edit":
                return redirect(url_for("publish.edit", entry_id=report.solution_id))
            return redirect(url_for("reports.curate_index"))
    return render_template(
        "reports/curate_review.html",
        report=report,
        form=form,
        others=reports.others_open(report) if report.is_open else [],
        **LABELS,
    ), 400 if request.method == "POST" else 200
