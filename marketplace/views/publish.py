"""City publishing: the dashboard of a publisher's city entries."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..services import publishing

bp = Blueprint("publish", __name__)


@bp.get("/my")
@login_required
def dashboard():
    groups = publishing.dashboard(current_user)
    return render_template("publish/dashboard.html", groups=groups, city=current_user.city)
