"""Accounts: sign-in, creation, invitations, password resets and profile changes."""

from __future__ import annotations

from flask_babel import gettext as _

from .. import mail
from ..database import transactional, unit_of_work
from ..extensions import db
from ..models import City, User
from ..models.user import password_hasher, spend_password_check
from ..sqltypes import utc_now
from ..vocab import ROLE_LABELS, Role
from .checks import normalise_email
from .errors import ValidationFailed
from .tokens import InvalidToken, make_token, token_data, token_hours, user_for_token

PASSWORD_MIN = 10
PASSWORD_MAX = 256


def check_password_rules(password: str, field: str = "password") -> None:
    """:raises ValidationFailed: when the password is too short or too long."""
    if len(password) < PASSWORD_MIN:
        raise ValidationFailed(
            _("Choose a password of at least %(min)d characters.", min=PASSWORD_MIN), field
        )
    if len(password) > PASSWORD_MAX:
        raise ValidationFailed(
            _("A password can have at most %(max)d characters.", max=PASSWORD_MAX), field
        )


def authenticate(email: str, password: str, language: str | None = None) -> User | None:
    """The active account with this email and password, or None (the same for every failure).

    ``language`` is the one the sign-in page was read in: it becomes the account's language
    when none was chosen yet, so mail reaches the person in a language they read.
    """
    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not user.has_password:
        spend_password_check(password)
        return None
    if not user.check_password(password):
        return None
    # The slow password check ran outside the write transaction, so sign-ins do not queue on it.
    return _record_sign_in(user.id, language)


def _adopt_language(user: User, language: str | None) -> None:
    """Give ``user`` the language of the page they signed in on, unless they chose one."""
    if language and user.language is None:
        user.language = language


@transactional
def _record_sign_in(user_id: int, language: str | None = None) -> User | None:
    user = db.session.get(User, user_id)
    if user is None or not user.active:  # deactivated during the password check
        return None
    user.last_login_at = utc_now()
    _adopt_language(user, language)
    return user


@transactional
def sign_out(user: User) -> None:
    """End every session of ``user`` on the server side."""
    user.end_sessions()


def _email_taken(email: str, user: User | None = None) -> bool:
    query = db.select(User.id).where(User.email == email)
    if user is not None:
        query = query.where(User.id != user.id)
    return db.session.scalar(query) is not None


@transactional
def create_user(
    email: str,
    role: str,
    display_name: str = "",
    city_slug: str | None = None,
    password: str | None = None,
) -> User:
    """Create an account; without a password it can only be entered through an invitation.

    :raises ValidationFailed: bad email, role or password, an email in use, a publisher without
        a city, or an unknown city.
    """
    email = normalise_email(email)
    if role not in ROLE_LABELS:
        raise ValidationFailed(
            _(
                "Unknown role %(role)s: choose one of %(roles)s.",
                role=repr(role),
                roles=", ".join(ROLE_LABELS),
            )
        )
    if _email_taken(email):
        raise ValidationFailed(
            _("An account with the email %(email)s exists already.", email=email)
        )
    city = None
    if city_slug:
        city = db.session.scalar(db.select(City).where(City.slug == city_slug))
        if city is None:
            raise ValidationFailed(
                _("There is no city with the slug %(slug)s.", slug=repr(city_slug))
            )
    if role == Role.PUBLISHER and city is None:
        raise ValidationFailed(_("A publisher belongs to a city: give its slug."))
    user = User(email=email, role=role, city=city, display_name=display_name.strip())
    if not user.display_name:
        user.display_name = email.split("@", 1)[0]
    if password is not None:
        check_password_rules(password)
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def invite(
    email: str, role: str, display_name: str = "", city_slug: str | None = None
) -> tuple[User, bool]:
    """Create an account without a password and mail it an invitation.

    Returns the account and whether the invitation could be sent (if not, it is kept for
    ``flask mail retry``).

    :raises ValidationFailed: see create_user.
    """
    with unit_of_work() as unit:
        user = create_user(email, role, display_name, city_slug)
        send_invitation(user)
    return user, not unit.failed


@transactional
def send_invitation(user: User) -> None:
    """Email ``user`` a link to choose a password and enter the site, once the unit commits."""
    mail.notify(
        "invitation",
        user.email,
        language=mail.language_of(user),
        user=user,
        role=ROLE_LABELS[user.role],
        hours=token_hours("invite"),
        token=make_token(user, "invite"),
    )


def reset_address(email: str) -> str | None:
    """The address a reset link was asked for, as accounts store it; None when it is not one."""
    try:
        return normalise_email(email)
    except ValidationFailed:
        return None


def send_password_reset(email: str) -> None:
    """Email a reset link if an active account has the address ``email``; nothing otherwise.

    The page asking for it says the same either way and calls this only after its response
    has been sent (mail.after_response), so neither its words nor its timing tell whether an
    account exists.
    """
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is None or not user.active:
        return
    subject, body = mail.render(
        "password_reset",
        language=mail.language_of(user),
        user=user,
        hours=token_hours("reset"),
        token=make_token(user, "reset"),
    )
    mail.send_or_keep(user.email, subject, body)


def set_password_with_token(
    token: str, purpose: str, password: str, language: str | None = None
) -> User:
    """Set the password of the account a link was made for; the link cannot be used again.
    The person is signed in next, so ``language`` is adopted as in ``authenticate``.

    :raises InvalidToken: see tokens.user_for_token (checked again inside the write, so a link
        cannot be used twice at once).
    :raises ValidationFailed: when the password breaks the rules.
    """
    user_for_token(token, purpose)  # type: ignore[arg-type]
    check_password_rules(password)
    hashed = password_hasher().hash(password)  # slow: before the write lock, not under it
    return _set_password_by_token(token, purpose, hashed, language)


@transactional
def _set_password_by_token(
    token: str, purpose: str, hashed: str, language: str | None = None
) -> User:
    user = user_for_token(token, purpose)  # type: ignore[arg-type]
    user.password_hash = hashed
    user.end_sessions()
    _adopt_language(user, language)
    return user


@transactional
def update_profile(user: User, display_name: str) -> None:
    name = display_name.strip()
    if not name:
        raise ValidationFailed(_("Your name cannot be empty."), "display_name")
    user.display_name = name


def change_email(user: User, current_password: str, new_email: str) -> str:
    """Ask to move the account to ``new_email``: a confirmation link goes to the new address
    and a notice to the current one; nothing changes until the link is followed
    (confirm_email_change). Returns the new address as stored.

    :raises ValidationFailed: wrong current password, bad or taken address, or the same one.
    """
    if not user.check_password(current_password):  # slow: outside the write transaction
        raise ValidationFailed(_("Your current password is not correct."), "current_password")
    email = normalise_email(new_email)
    if email == user.email:
        raise ValidationFailed(_("This is already your address."), "email")
    _request_email_change(user, email)
    return email


@transactional
def _request_email_change(user: User, email: str) -> None:
    if _email_taken(email, user):
        raise ValidationFailed(_("Another account uses this email address."), "email")
    hours = token_hours("email")
    language = mail.language_of(user)
    token = make_token(user, "email", e=email)
    mail.notify("email_confirm", email, language=language, user=user, hours=hours, token=token)
    mail.notify("email_change_notice", user.email, language=language, user=user, new=email)


@transactional
def confirm_email_change(token: str) -> User:
    """Move the account a confirmation link names to the address it carries; the link and any
    older reset link stop working (the address is part of their fingerprint).

    :raises InvalidToken: the link was altered, expired or used, or another account took the
        address in the meantime.
    """
    user, email = pending_email(token)
    if _email_taken(email, user):
        raise InvalidToken(
            _(
                "Another account uses %(email)s now, so your address stays %(current)s. "
                "Choose another one on your account page.",
                email=email,
                current=user.email,
            )
        )
    user.email = email
    return user


def pending_email(token: str) -> tuple[User, str]:
    """The account and the new address a confirmation link names, for its page.

    :raises InvalidToken: see confirm_email_change (the address is checked when it is used).
    """
    user, data = token_data(token, "email")
    if not isinstance(data.get("e"), str) or not data["e"]:
        raise InvalidToken(_("This link is not valid. Check that it was copied whole."))
    return user, data["e"]


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password and end every other session (the caller signs this one in again).

    :raises ValidationFailed: wrong current password or a password breaking the rules.
    """
    if not user.check_password(current_password):  # the slow hashing stays outside the write
        raise ValidationFailed(_("Your current password is not correct."), "current_password")
    check_password_rules(new_password, "new_password")
    _set_password_hash(user, password_hasher().hash(new_password))


@transactional
def _set_password_hash(user: User, hashed: str) -> None:
    user.password_hash = hashed
    user.end_sessions()
