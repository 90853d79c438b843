"""Test helpers for rate limits: a clock tests move by hand, and apps sharing one store."""

from __future__ import annotations

import uuid

import pytest
import redis
from databases import release
from support import TEST_CONFIG

from marketplace import create_app, limits

REDIS_URL = "redis://127.0.0.1:6379/0"  # the real Redis of the development and CI machines
START = 1_800_000_000.0  # a Unix time that begins a window of 15 minutes and of an hour


class Clock:
    """Stands in for time.time in RateLimits: it moves only when a test says so."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def use_clock(app, clock: Clock) -> Clock:
    limits.of(app).clock = clock
    return clock


def twin(app, **overrides):
    """A second app (another worker, another machine) on ``app``'s database and settings."""
    keys = ("DATA_DIR", "DATABASE_URL", "REDIS_URL", "RATE_LIMIT_PREFIX")
    shared = {key: app.config[key] for key in keys if app.config.get(key)}
    return create_app({**TEST_CONFIG, **shared, **overrides})


def close(app) -> None:
    """Close ``app``'s connections: to its database, and to Redis when it counts there."""
    storage = limits.of(app).storage
    if isinstance(storage, limits.RedisStorage):
        storage.client.close()
    release(app)


def redis_prefix() -> str:
    """A key prefix no other test uses on the shared Redis; the test is skipped, saying why,
    where no Redis answers (the development and CI machines run one)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    finally:
        client.close()
    return f"marketplace-test:{uuid.uuid4().hex}:"


def forget_redis_keys(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()
