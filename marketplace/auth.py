"""Flask-Login wiring: how a session's user id becomes a User."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .extensions import db, login_manager
from .models import User

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to continue.")
# Flashed as a plain string in the request's language (a lazy one would not survive the session).
login_manager.localize_callback = str


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The active user whose current session token the cookie holds, or None.

    A token replaced at sign-out, password change or deactivation finds nobody, so a cookie
    captured before is refused.
    """
    user = db.session.scalar(db.select(User).where(User.session_token == session_token))
    return user if user is not None and user.active else None
