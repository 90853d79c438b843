"""Accounts of city publishers, curators and administrators."""

from __future__ import annotations

import contextlib
import functools
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from ..sqltypes import utc_now
from ..vocab import Role
from .city import City


def _cost() -> tuple[int, int, int]:
    config = current_app.config
    return (
        config["PASSWORD_HASH_TIME_COST"],
        config["PASSWORD_HASH_MEMORY_COST"],
        config["PASSWORD_HASH_PARALLELISM"],
    )


@functools.cache
def _hasher_with(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def password_hasher() -> PasswordHasher:
    """The Argon2id hasher of the app's PASSWORD_HASH_* settings (production: the library's)."""
    return _hasher_with(*_cost())


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    # Stored lower-cased (the validator below; the database refuses anything else, whoever
    # writes), so the plain unique constraint is case-insensitive on SQLite and PostgreSQL alike.
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
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
    # The interface language the account chose in the language menu (None: not chosen yet).
    language: Mapped[str | None] = mapped_column(String(8))
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
        self.password_hash = password_hasher().hash(password)

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        try:
            return password_hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


@functools.cache
def _throwaway_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return _hasher_with(time_cost, memory_cost, parallelism).hash(secrets.token_hex(16))


def spend_password_check(password: str) -> None:
    """Verify against a throwaway hash, so an unknown email costs as long as a wrong password.

    The throwaway hash is made at the cost set_password uses now, so both checks cost the same.
    """
    with contextlib.suppress(VerificationError, InvalidHashError):
        password_hasher().verify(_throwaway_hash(*_cost()), password)
