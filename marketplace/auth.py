"""Flask-Login wiring: how a session's user id becomes a User."""

from __future__ import annotations

from .extensions import db, login_manager
from .models import User

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The active user behind a session, or None (a deactivated account is signed out)."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None
