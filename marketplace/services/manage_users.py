"""Administrators' work on accounts: invite, change role and city, deactivate and reactivate.

A deactivated account cannot sign in and its sessions end at once; the entries its city
published stay, since entries belong to cities, not to people.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import i18n
from ..database import transactional, unit_of_work
from ..extensions import db
from ..models import City, User
from ..permissions import can_manage_users
from ..vocab import ROLE_LABELS, Role
from . import accounts, audit
from .checks import normalise_email
from .errors import DomainError, InvalidTransition, NotFound, PermissionDenied, ValidationFailed

NAME_MAX = 120


class NotDelivered(DomainError):
    """The invitation could not be mailed; the account exists and the mail can be sent again."""

    status_code = 502

    def __init__(self, message: str, user: User) -> None:
        super().__init__(message)
        self.user = user


def require_admin(user: Any) -> None:
    """:raises PermissionDenied: unless ``user`` is an administrator."""
    if not can_manage_users(user):
        raise PermissionDenied(_("Only administrators manage accounts."))


def describe(user: User) -> str:
    """How the audit log names an account: "user ana@zagreb.example"."""
    return f"user {user.email}"


def list_users(actor: Any) -> list[User]:
    """Every account, active ones first, by email.

    :raises PermissionDenied: see require_admin.
    """
    require_admin(actor)
    return list(
        db.session.scalars(
            select(User).options(selectinload(User.city)).order_by(User.active.desc(), User.email)
        )
    )


def get_user(actor: Any, user_id: int) -> User:
    """:raises PermissionDenied: see require_admin. :raises NotFound: no account with this id."""
    require_admin(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("There is no account at this address."))
    return user


def _check_role(role: str) -> None:
    if role not in ROLE_LABELS:
        raise ValidationFailed(_("Choose one of the roles."), "role")


def _city(slug: str | None) -> City | None:
    """:raises ValidationFailed: a slug no city has."""
    if not slug:
        return None
    city = db.session.scalar(select(City).where(City.slug == slug))
    if city is None:
        raise ValidationFailed(_("Choose a city from the list."), "city")
    return city


def _check_publisher_city(role: str, city: City | None) -> None:
    if role == Role.PUBLISHER and city is None:
        raise ValidationFailed(_("A city publisher writes for one city: choose it."), "city")


def _not_delivered(user: User) -> NotDelivered:
    return NotDelivered(
        _(
            "The invitation to %(email)s could not be sent just now. It is kept and sent again "
            "by `flask mail retry`, or send it again from the account's page in a few minutes.",
            email=user.email,
        ),
        user,
    )


def invite(
    actor: Any,
    email: str,
    role: str,
    display_name: str,
    city_slug: str | None,
    language: str | None = None,
) -> User:
    """Create an account without a password and mail it a link to choose one.

    :raises PermissionDenied: see require_admin.
    :raises ValidationFailed: a bad or taken email, an unknown role or city, a publisher without a
        city, a name too long (the field is named).
    :raises NotDelivered: the account was created but the mail could not be sent.
    """
    require_admin(actor)
    with unit_of_work() as unit:
        email = normalise_email(email or "")
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            raise ValidationFailed(
                _("An account with the email %(email)s exists already.", email=email), "email"
            )
        _check_role(role)
        city = _city(city_slug)
        _check_publisher_city(role, city)
        name = " ".join((display_name or "").split())
        if len(name) > NAME_MAX:
            raise ValidationFailed(
                _("Keep the name to %(max)d characters.", max=NAME_MAX), "display_name"
            )
        city_note = f" for {city.name}" if city else ""
        audit.record(
            actor,
            "user.invited",
            f"user {email}",
            f"as {audit.english(ROLE_LABELS[role])}{city_note}",
        )
        user = accounts.create_user(email, role, name, city.slug if city else None)
        user.language = language if language in i18n.LANGUAGES else None
        accounts.send_invitation(user)
    if unit.failed:
        raise _not_delivered(user)
    return user


def resend_invitation(actor: Any, user: User) -> None:
    """Mail a fresh invitation link to an account that has not chosen a password yet.

    :raises PermissionDenied: see require_admin.
    :raises InvalidTransition: the account has a password already, or is deactivated.
    :raises NotDelivered: the mail could not be sent.
    """
    require_admin(actor)
    with unit_of_work() as unit:
        if not user.active:
            raise InvalidTransition(
                _("%(email)s is deactivated: reactivate the account first.", email=user.email)
            )
        if user.has_password:
            raise InvalidTransition(
                _(
                    "%(email)s has chosen a password already: they can ask for a reset link on "
                    "the sign-in page.",
                    email=user.email,
                )
            )
        audit.record(actor, "user.invited", describe(user), "invitation sent again")
        accounts.send_invitation(user)
    if unit.failed:
        raise _not_delivered(user)


@transactional
def update(actor: Any, user: User, role: str, city_slug: str | None) -> list[str]:
    """Change an account's role and city; returns what changed, for the message shown.

    :raises PermissionDenied: see require_admin.
    :raises ValidationFailed: an unknown role or city, a publisher without a city, or an
        administrator changing their own role.
    """
    require_admin(actor)
    _check_role(role)
    city = _city(city_slug)
    _check_publisher_city(role, city)
    if user.id == actor.id and role != user.role:
        raise ValidationFailed(
            _(
                "You cannot change your own role: ask another administrator, so that the "
                "marketplace always keeps one."
            ),
            "role",
        )
    changed = []
    if role != user.role:
        detail = f"{audit.english(ROLE_LABELS[user.role])} -> {audit.english(ROLE_LABELS[role])}"
        audit.record(actor, "user.role_changed", describe(user), detail)
        user.role = role
        changed.append("role")
    if city is not user.city:
        old = user.city.name if user.city else "no city"
        detail = f"{old} -> {city.name if city else 'no city'}"
        audit.record(actor, "user.city_changed", describe(user), detail)
        user.city = city
        changed.append("city")
    return changed


@transactional
def set_active(actor: Any, user: User, active: bool) -> None:
    """Deactivate an account (it cannot sign in, its sessions end) or let it sign in again.

    :raises PermissionDenied: see require_admin.
    :raises InvalidTransition: an administrator deactivating themselves, or the account is in
        that state already.
    """
    require_admin(actor)
    if user.id == actor.id:
        raise InvalidTransition(
            _("You cannot deactivate your own account: ask another administrator.")
        )
    if user.active == active:
        if active:
            raise InvalidTransition(_("%(email)s is active already.", email=user.email))
        raise InvalidTransition(_("%(email)s is deactivated already.", email=user.email))
    user.active = active
    if not active:
        user.end_sessions()
    audit.record(actor, "user.reactivated" if active else "user.deactivated", describe(user))
