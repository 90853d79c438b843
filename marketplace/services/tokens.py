"""Signed, expiring, single-use links for invitations, password resets and address changes."""

from __future__ import annotations

import hashlib
from typing import Literal

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from ..models import User
from .errors import DomainError

Purpose = Literal["invite", "reset", "email"]
_HOURS_SETTING = {
    "invite": "INVITATION_HOURS",
    "reset": "PASSWORD_RESET_HOURS",
    "email": "EMAIL_CHANGE_HOURS",
}


class InvalidToken(DomainError):
    """A link that is tampered with, expired or already used; the message says which."""

    status_code = 400


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"account-{purpose}")


def _fingerprint(user: User) -> str:
    # Setting a password changes the hash (a fresh salt every time), so a used link stops
    # matching: links are single-use without storing them. The email and the session token are
    # covered too, so a changed address or any session-ending change voids older links.
    state = f"{user.id}:{user.email}:{user.password_hash}:{user.session_token}"
    return hashlib.sha256(state.encode()).hexdigest()[:20]


def make_token(user: User, purpose: Purpose, **extra: str) -> str:
    """A link's token for ``user``; ``extra`` values travel signed in it (see token_data)."""
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user), **extra})


def token_hours(purpose: Purpose) -> int:
    return int(current_app.config[_HOURS_SETTING[purpose]])


def user_for_token(token: str, purpose: Purpose) -> User:
    """The account a link was made for.

    :raises InvalidToken: when the link was altered, has expired, was used already, or its
        account is deactivated.
    """
    return token_data(token, purpose)[0]


def token_data(token: str, purpose: Purpose) -> tuple[User, dict]:
    """The account a link was made for, and the signed data it carries (make_token's extra).

    :raises InvalidToken: see user_for_token.
    """
    try:
        data = _serializer(purpose).loads(token, max_age=token_hours(purpose) * 3600)
    except SignatureExpired as exc:
        raise InvalidToken(_("This link has expired. Ask for a new one.")) from exc
    except BadSignature as exc:
        raise InvalidToken(_("This link is not valid. Check that it was copied whole.")) from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active:
        raise InvalidToken(_("This link is not valid any more."))
    if data.get("f") != _fingerprint(user):
        raise InvalidToken(_("This link has already been used. Ask for a new one if you need it."))
    return user, data
