"""Rate limits on signing in, asking for reset links and saving searches, in Redis or the DB.

Each rule counts hits per key (a keyed hash of an account's address or of a network) in fixed
windows: the window's number is part of the counter's key, so counters need no clock but ours
(``RateLimits.clock``, replaced in tests) and every worker on every machine shares them.
Counting is one atomic statement: INCRBY in Redis (MARKETPLACE_REDIS_URL), an upsert returning
the new count in the database (PostgreSQL and SQLite alike). A request is counted before it is
served, so concurrent requests cannot slip past a limit together.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from flask import Flask, current_app
from flask_babel import ngettext
from sqlalchemy import Engine, delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from .database import WRITE
from .extensions import db
from .models.rate_limit import RateLimitCounter
from .services.errors import DomainError
from .services.reports import hash_ip

log = logging.getLogger(__name__)

EXTENSION = "marketplace.limits"


@dataclass(frozen=True)
class Rule:
    """At most the config value ``limit`` hits per ``window`` seconds (another config value)."""

    name: str
    limit: str
    window: str


SIGN_IN_ACCOUNT = Rule("sign-in-account", "SIGN_IN_FAILURES_PER_ACCOUNT", "SIGN_IN_WINDOW_SECONDS")
SIGN_IN_NETWORK = Rule("sign-in-network", "SIGN_IN_FAILURES_PER_IP", "SIGN_IN_WINDOW_SECONDS")
RESET_ADDRESS = Rule("reset-address", "RESET_REQUESTS_PER_ADDRESS", "RESET_WINDOW_SECONDS")
RESET_NETWORK = Rule("reset-network", "RESET_REQUESTS_PER_IP", "RESET_WINDOW_SECONDS")
ALERT_ADDRESS = Rule("alert-address", "ALERTS_SAVES_PER_ADDRESS", "ALERTS_WINDOW_SECONDS")
ALERT_NETWORK = Rule("alert-network", "ALERTS_SAVES_PER_IP", "ALERTS_WINDOW_SECONDS")


class RateLimited(DomainError):
    """Too many requests of this kind; ``retry_after`` says in how many seconds one may try."""

    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CountersUnavailable(DomainError):
    """The counters' store (Redis) does not answer: the request is refused for a moment rather
    than served unprotected (503 with Retry-After, like a database outage)."""

    status_code = 503


class Storage(Protocol):
    def hit(self, key: str, amount: int, expires_at: int, now: float) -> int:
        """Add ``amount`` to the counter ``key`` (made if missing) and return its new value."""

    def clear(self, key: str) -> None:
        """Forget the counter ``key``."""


class DatabaseStorage:
    """Counters in the rate_limit_counter table, on their own connection and transaction (a
    count stands whatever the request's unit of work does)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert

    def hit(self, key: str, amount: int, expires_at: int, now: float) -> int:
        table = RateLimitCounter.__table__
        upsert = self.insert(table).values(key=key, count=amount, expires_at=expires_at)
        upsert = upsert.on_conflict_do_update(
            index_elements=[table.c.key], set_={"count": table.c.count + upsert.excluded.count}
        ).returning(table.c.count)
        with self.engine.connect() as connection:
            connection.execution_options(**WRITE)
            with connection.begin():
                count = connection.execute(upsert).scalar_one()
            if count == amount:  # a new window: delete the counters of windows that ended
                self._delete_expired(connection, now)
        return count

    def _delete_expired(self, connection: Any, now: float) -> None:
        table = RateLimitCounter.__table__
        try:
            with connection.begin():
                connection.execute(delete(table).where(table.c.expires_at <= now))
        except DBAPIError:  # a concurrent clean-up; the next new window tries again
            log.warning("old rate limit counters not deleted", exc_info=True)

    def clear(self, key: str) -> None:
        table = RateLimitCounter.__table__
        with self.engine.connect() as connection:
            connection.execution_options(**WRITE)
            with connection.begin():
                connection.execute(delete(table).where(table.c.key == key))


class RedisStorage:
    """Counters as Redis keys that expire shortly after their window."""

    def __init__(self, url: str) -> None:
        import redis  # only a configured Redis needs the client

        self.client = redis.Redis.from_url(url)

    def hit(self, key: str, amount: int, expires_at: int, now: float) -> int:
        pipeline = self.client.pipeline(transaction=True)
        pipeline.incrby(key, amount)
        pipeline.expire(key, max(1, math.ceil(expires_at - now)) + 1)
        with self._answering():
            count, _ = pipeline.execute()
        return int(count)

    def clear(self, key: str) -> None:
        with self._answering():
            self.client.delete(key)

    @contextmanager
    def _answering(self) -> Iterator[None]:
        import redis

        try:
            yield
        except redis.RedisError as error:
            log.error("rate limit counters unavailable: %s", error)
            raise CountersUnavailable("") from error


@dataclass
class Hit:
    """One counted request under one rule."""

    key: str
    count: int
    limit: int
    expires_at: int

    @property
    def over(self) -> bool:
        return self.count > self.limit


class RateLimits:
    """The rules of one app, its storage and the clock that places a hit in its window."""

    def __init__(self, config: Any, storage: Storage, clock: Callable[[], float] = time.time):
        self.config = config
        self.storage = storage
        self.clock = clock

    def key(self, rule: Rule, identity: str, number: int) -> str:
        secret = str(self.config["SECRET_KEY"]).encode()
        digest = hmac.new(secret, f"{rule.name}\0{identity}".encode(), hashlib.sha256)
        return f"{self.config['RATE_LIMIT_PREFIX']}{rule.name}:{digest.hexdigest()[:40]}:{number}"

    def hit(self, rule: Rule, identity: str) -> Hit:
        """Count one request of ``identity`` under ``rule`` in the current window."""
        window = int(self.config[rule.window])
        now = self.clock()
        number = int(now // window)
        key = self.key(rule, identity, number)
        expires_at = (number + 1) * window
        count = self.storage.hit(key, 1, expires_at, now)
        return Hit(key, count, int(self.config[rule.limit]), expires_at)

    def undo(self, hit: Hit) -> None:
        self.storage.hit(hit.key, -1, hit.expires_at, self.clock())

    def clear(self, hit: Hit) -> None:
        self.storage.clear(hit.key)

    def retry_after(self, hits: list[Hit]) -> int:
        """Seconds until every window whose limit ``hits`` passed has ended (at least 1)."""
        now = self.clock()
        return max(1, *(math.ceil(hit.expires_at - now) for hit in hits if hit.over))


def init_app(app: Flask) -> None:
    """Count in Redis when REDIS_URL is set, otherwise in the app's database."""
    url = app.config["REDIS_URL"]
    with app.app_context():
        storage = RedisStorage(url) if url else DatabaseStorage(db.engine)
    app.extensions[EXTENSION] = RateLimits(app.config, storage)


def of(app: Flask) -> RateLimits:
    """The rate limits of ``app`` (tests replace their ``clock``)."""
    return app.extensions[EXTENSION]


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def _refuse_over(limits: RateLimits, hits: list[Hit], message: Callable[[int], str]) -> None:
    """:raises RateLimited: with ``message(minutes)`` when any of ``hits`` passed its limit."""
    if any(hit.over for hit in hits):
        seconds = limits.retry_after(hits)
        raise RateLimited(message(_minutes(seconds)), seconds)


def _account(email: str) -> str:
    return email.strip().lower()


@dataclass
class SignInAttempt:
    """A counted sign-in; a successful one is taken back with ``signed_in``."""

    account: Hit
    network: Hit


def start_sign_in(email: str, ip: str | None) -> SignInAttempt:
    """Count a sign-in attempt for the account at ``email`` (existing or not) and the network.

    :raises RateLimited: too many failed attempts for the account or from the network in the
        window; the password must then not be checked at all.
    """
    limits = of(current_app)
    attempt = SignInAttempt(
        limits.hit(SIGN_IN_ACCOUNT, _account(email)), limits.hit(SIGN_IN_NETWORK, hash_ip(ip))
    )
    _refuse_over(
        limits,
        [attempt.account, attempt.network],
        lambda minutes: ngettext(
            "Too many failed sign-ins for this account or from your network. To protect the "
            "account, signing in is paused: please try again in %(num)d minute.",
            "Too many failed sign-ins for this account or from your network. To protect the "
            "account, signing in is paused: please try again in %(num)d minutes.",
            minutes,
        ),
    )
    return attempt


def signed_in(attempt: SignInAttempt) -> None:
    """The attempt succeeded: the account's failures are forgotten, the network's not added to."""
    limits = of(current_app)
    limits.clear(attempt.account)
    limits.undo(attempt.network)


def count_reset_request(email: str, ip: str | None) -> None:
    """Count a request for a reset link to ``email`` (existing or not) from ``ip``'s network.

    :raises RateLimited: too many requests for the address or from the network in the window.
    """
    limits = of(current_app)
    _refuse_over(
        limits,
        [limits.hit(RESET_ADDRESS, _account(email)), limits.hit(RESET_NETWORK, hash_ip(ip))],
        lambda minutes: ngettext(
            "Too many reset links were asked for this address or from your network. Nothing "
            "was sent: please try again in %(num)d minute.",
            "Too many reset links were asked for this address or from your network. Nothing "
            "was sent: please try again in %(num)d minutes.",
            minutes,
        ),
    )


def count_saved_search(email: str, ip: str | None) -> None:
    """Count a search saved for ``email`` from ``ip``'s network (counted whether or not it is
    then kept, and not given back when it is deleted: unsubscribing frees no allowance).

    :raises RateLimited: too many saves for the address or from the network in the window.
    """
    limits = of(current_app)
    _refuse_over(
        limits,
        [limits.hit(ALERT_ADDRESS, _account(email)), limits.hit(ALERT_NETWORK, hash_ip(ip))],
        lambda minutes: ngettext(
            "Too many searches were saved for this address or from your network. Nothing was "
            "saved: please try again in %(num)d minute.",
            "Too many searches were saved for this address or from your network. Nothing was "
            "saved: please try again in %(num)d minutes.",
            minutes,
        ),
    )
