"""Accounts of city publishers, curators and administrators."""

from __future__ import annotations

import contextlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from ..sqltypes import utc_now
from ..vocab import Role
from .city import City

# Argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(20), default=Role.PUBLISHER)
    # Publishers belong to one city; curators and admins may have none.
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # What a session cookie names instead of the id: replacing it ends every session of the
    # account on the server side (sign-out, password change, deactivation).
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    city: Mapped[City | None] = relationship()

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return value.strip().lower()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in for inactive accounts.
        return self.active

    def get_id(self) -> str:
        """The session identifier Flask-Login stores in the cookie (see session_token)."""
        if not self.session_token:
            self.session_token = new_session_token()
        return self.session_token

    def end_sessions(self) -> None:
        """Make every session and "remember me" cookie issued so far invalid."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


_DUMMY_HASH: list[str] = []


def spend_password_check(password: str) -> None:
    """Verify against a throwaway hash, so an unknown email costs as long as a wrong password."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(_hasher.hash(secrets.token_hex(16)))
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_DUMMY_HASH[0], password)
