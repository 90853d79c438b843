"""Saved searches: saving one (double opt-in for an address not yet proven), confirming,
unsubscribing through the mailed links, and an account managing its own.

Two signed links, each naming one saved search and a fingerprint of it (its id, address and
creation time, so a link never works for another row that later reuses the id): the
confirmation link expires after ALERTS_CONFIRM_HOURS; the unsubscribe link never expires, as
RFC 8058 asks of a List-Unsubscribe address, and is the only thing authenticating its POST.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import func, or_, select

from .. import i18n, limits, mail
from ..database import transactional
from ..extensions import db
from ..models import SavedSearch, User
from ..models.alert import DAILY, FREQUENCIES, WEEKLY
from ..permissions import can_manage_saved_search, skips_alert_confirmation
from ..search import SearchRequest
from ..search.schema import FACETS
from ..sqltypes import utc_now
from .catalogue_search import filter_labels
from .checks import normalise_email
from .errors import NotFound, PermissionDenied, ValidationFailed
from .reports import hash_ip
from .tokens import InvalidToken

PERIODS = {DAILY: timedelta(days=1), WEEKLY: timedelta(days=7)}
QUERY_MAX = 2000  # characters of the saved query string: more is no real search
CONFIRM_SALT = "saved-search-confirm"
UNSUBSCRIBE_SALT = "saved-search-unsubscribe"


# The search a saved search stands for.


def query_of(request: SearchRequest) -> str:
    """The search's words, filters and ``exact`` as a canonical query string (page, page size
    and sort belong to one look at the results, not to the search)."""
    pairs = [("q", " ".join(request.text.split()))] if request.text.strip() else []
    for name in FACETS:
        pairs.extend((name, value) for value in request.filters.get(name, ()))
    if request.exact:
        pairs.append(("exact", "1"))
    return urlencode(pairs)


def arguments_of(saved: SavedSearch) -> dict[str, Any]:
    """The saved search as the results page's query arguments (a facet's values as a list)."""
    arguments: dict[str, Any] = {}
    for name, value in parse_qsl(saved.query):
        if name in FACETS:
            arguments.setdefault(name, []).append(value)
        elif name in ("q", "exact"):
            arguments[name] = value
    return arguments


def search_of(saved: SavedSearch, **changes: Any) -> SearchRequest:
    """The SearchRequest the results page would run for the saved search, in its language."""
    arguments = arguments_of(saved)
    filters = {name: tuple(arguments[name]) for name in FACETS if name in arguments}
    return SearchRequest(
        text=arguments.get("q", ""),
        filters=filters,
        exact=arguments.get("exact") == "1",
        language=saved.language,
        **changes,
    )


# Signed links.


def _fingerprint(saved: SavedSearch) -> str:
    state = f"{saved.id}:{saved.email}:{int(saved.created_at.timestamp())}"
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def confirm_hours() -> int:
    return int(current_app.config["ALERTS_CONFIRM_HOURS"])


def confirm_token(saved: SavedSearch) -> str:
    secret = current_app.config["SECRET_KEY"]
    return URLSafeTimedSerializer(secret, salt=CONFIRM_SALT).dumps(
        {"s": saved.id, "f": _fingerprint(saved)}
    )


def unsubscribe_token(saved: SavedSearch) -> str:
    secret = current_app.config["SECRET_KEY"]
    return URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).dumps(
        {"s": saved.id, "f": _fingerprint(saved)}
    )


def unsubscribe_link(saved: SavedSearch) -> str:
    """The one-click address of the saved search's mails (their link and their headers)."""
    return mail.link("alerts.unsubscribe", token=unsubscribe_token(saved))


def _named(data: Any) -> SavedSearch | None:
    """The saved search a link's data names, if it still exists and is the one it was made for."""
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise InvalidToken(_("This link is not valid. Check that it was copied whole."))
    saved = db.session.get(SavedSearch, data["s"])
    if saved is None or data.get("f") != _fingerprint(saved):
        return None
    return saved


def pending(token: str) -> SavedSearch:
    """The saved search a confirmation link was made for.

    :raises InvalidToken: the link was altered, has expired, or its search was deleted.
    """
    secret = current_app.config["SECRET_KEY"]
    try:
        data = URLSafeTimedSerializer(secret, salt=CONFIRM_SALT).loads(
            token, max_age=confirm_hours() * 3600
        )
    except SignatureExpired as exc:
        raise InvalidToken(_("This link has expired: save the search again.")) from exc
    except BadSignature as exc:
        raise InvalidToken(_("This link is not valid. Check that it was copied whole.")) from exc
    saved = _named(data)
    if saved is None:
        raise InvalidToken(_("This saved search was deleted: save the search again."))
    return saved


def subscribed(token: str) -> SavedSearch | None:
    """The saved search an unsubscribe link was made for; None when it is deleted already.

    :raises InvalidToken: the link was altered.
    """
    secret = current_app.config["SECRET_KEY"]
    try:
        data = URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).loads(token)
    except BadSignature as exc:
        raise InvalidToken(_("This link is not valid. Check that it was copied whole.")) from exc
    return _named(data)


# Saving, confirming, unsubscribing.


def _check_frequency(frequency: str) -> str:
    if frequency not in FREQUENCIES:
        raise ValidationFailed(_("Choose daily or weekly."), "frequency")
    return frequency


def _set_frequency(saved: SavedSearch, frequency: str) -> None:
    """The next digest one period after the last (or after the start)."""
    saved.frequency = frequency
    since = saved.last_sent_at or saved.confirmed_at
    if since is not None:
        saved.next_due_at = since + PERIODS[frequency]


def _start(saved: SavedSearch, now: datetime) -> None:
    """Digests from now on: the first lists what changes after this moment."""
    saved.confirmed_at = now
    saved.watermark = now
    saved.next_due_at = now + PERIODS[saved.frequency]


def save_search(
    user: Any, request: SearchRequest, email: str, frequency: str, ip: str | None
) -> SavedSearch:
    """Save ``request`` for digests to ``email`` (a signed-in account's own address instead,
    started at once); any other address gets a confirmation link first. Saving a search the
    address has saved already keeps one: the account changes its frequency; a visitor mails a
    pending one's link again, and changes nothing of a confirmed one (it is not theirs to).

    :raises ValidationFailed: a bad address or frequency, a search too long to save, or an
        address holding ALERTS_PER_ADDRESS saved searches already.
    :raises limits.RateLimited: too many saves for the address or from the network.
    """
    frequency = _check_frequency(frequency)
    trusted = skips_alert_confirmation(user)
    email = user.email if trusted else normalise_email(email, "email")
    query = query_of(request)
    if len(query) > QUERY_MAX:
        raise ValidationFailed(_("This search is too long to save: remove some filters."))
    # Counted on the counters' own connection, before the write transaction (SQLite's lock).
    limits.count_saved_search(email, ip)
    return _save(user, trusted, email, query, frequency, ip)


@transactional
def _save(
    user: Any, trusted: bool, email: str, query: str, frequency: str, ip: str | None
) -> SavedSearch:
    saved = db.session.scalar(
        select(SavedSearch).where(SavedSearch.email == email, SavedSearch.query == query)
    )
    if saved is None:
        held = db.session.scalar(
            select(func.count()).select_from(SavedSearch).where(SavedSearch.email == email)
        )
        cap = int(current_app.config["ALERTS_PER_ADDRESS"])
        if held >= cap:
            raise ValidationFailed(
                _(
                    "This address has %(num)d saved searches, the most allowed. Delete one "
                    "first (every digest links to its own unsubscribe page).",
                    num=cap,
                ),
                "email",
            )
        saved = SavedSearch(
            email=email,
            query=query,
            language=i18n.current_language(),
            ip_hash=hash_ip(ip),
            created_at=utc_now(),
        )
        db.session.add(saved)
    elif saved.confirmed_at is not None and not trusted:
        return saved  # running already: only its own links and account change it
    _set_frequency(saved, frequency)
    if trusted and saved.user_id is None:
        saved.user_id = user.id
    if saved.confirmed_at is None:
        if trusted:
            _start(saved, utc_now())
        else:
            saved.link_sent_at = utc_now()
            db.session.flush()  # the links name its id
            mail.notify(
                "alert_confirm",
                email,
                language=saved.language,  # the language the visitor searched in
                saved=saved,
                describe=describe,
                hours=confirm_hours(),
                token=confirm_token(saved),
                unsubscribe=unsubscribe_link(saved),
            )
    return saved


@transactional
def confirm(token: str) -> SavedSearch:
    """Start the digests of the search a confirmation link names (once: again is harmless).

    :raises InvalidToken: see pending.
    """
    saved = pending(token)
    if saved.confirmed_at is None:
        _start(saved, utc_now())
    return saved


@transactional
def unsubscribe(token: str) -> bool:
    """Delete the saved search an unsubscribe link names; False when it was gone already.

    :raises InvalidToken: see subscribed.
    """
    saved = subscribed(token)
    if saved is None:
        return False
    db.session.delete(saved)
    return True


@transactional
def prune_unconfirmed(now: datetime | None = None) -> int:
    """Delete the saved searches never confirmed whose latest confirmation link has expired
    (ALERTS_CONFIRM_HOURS after it was mailed): nobody can start them any more. Returns how
    many; running it again deletes nothing more."""
    expired = (now or utc_now()) - timedelta(hours=confirm_hours())
    sent = func.coalesce(SavedSearch.link_sent_at, SavedSearch.created_at)
    stale = db.session.scalars(
        select(SavedSearch).where(SavedSearch.confirmed_at.is_(None), sent < expired)
    ).all()
    for saved in stale:
        db.session.delete(saved)
    return len(stale)


# An account's own saved searches.


def of_account(user: User) -> list[SavedSearch]:
    """The saved searches ``user`` manages, oldest first."""
    rows = db.session.scalars(
        select(SavedSearch)
        .where(
            or_(
                SavedSearch.user_id == user.id,
                (SavedSearch.email == user.email) & SavedSearch.confirmed_at.is_not(None),
            )
        )
        .order_by(SavedSearch.created_at, SavedSearch.id)
    )
    return [saved for saved in rows if can_manage_saved_search(user, saved)]


def get_manageable(user: Any, saved_id: int) -> SavedSearch:
    """The saved search ``saved_id`` for ``user`` to change.

    :raises NotFound: there is none.
    :raises PermissionDenied: it is not the user's.
    """
    saved = db.session.get(SavedSearch, saved_id)
    if saved is None:
        raise NotFound(_("This saved search does not exist (any more)."))
    if not can_manage_saved_search(user, saved):
        raise PermissionDenied(_("This saved search is not yours."))
    return saved


@transactional
def change_frequency(user: Any, saved: SavedSearch, frequency: str) -> None:
    """:raises PermissionDenied, ValidationFailed: not the user's; not daily or weekly."""
    if not can_manage_saved_search(user, saved):
        raise PermissionDenied(_("This saved search is not yours."))
    _set_frequency(saved, _check_frequency(frequency))


@transactional
def delete(user: Any, saved: SavedSearch) -> None:
    """:raises PermissionDenied: not the user's."""
    if not can_manage_saved_search(user, saved):
        raise PermissionDenied(_("This saved search is not yours."))
    db.session.delete(saved)


def describe(saved: SavedSearch) -> str:
    """The saved search in words, in the current language: its text and its filters."""
    return describe_request(search_of(saved))


def describe_request(request: SearchRequest) -> str:
    """A search in words, in the current language: its text and its filters."""
    parts = [f"“{request.text}”"] if request.text else []
    parts.extend(f"{title}: {', '.join(values)}" for title, values in filter_labels(request))
    return "; ".join(parts) or _("every published entry")
