"""Rate limit counters: windows, atomic counts, sharing between apps; in the database and Redis."""

from __future__ import annotations

import threading

import pytest
from limit_helpers import REDIS_URL, Clock, close, forget_redis_keys, redis_prefix, twin, use_clock

from marketplace import limits
from marketplace.limits import RESET_ADDRESS, SIGN_IN_ACCOUNT


@pytest.fixture(params=["database", "redis"])
def store_app(request, app):
    """``app`` counting in its database, or a twin of it counting in the real Redis."""
    if request.param == "database":
        assert isinstance(limits.of(app).storage, limits.DatabaseStorage)
        yield app
        return
    prefix = redis_prefix()
    other = twin(app, REDIS_URL=REDIS_URL, RATE_LIMIT_PREFIX=prefix)
    assert isinstance(limits.of(other).storage, limits.RedisStorage)
    yield other
    forget_redis_keys(prefix)
    close(other)


def test_counts_go_up_by_one_and_the_limit_is_passed_after_it(store_app):
    rules = limits.of(store_app)
    use_clock(store_app, Clock())
    hits = [rules.hit(SIGN_IN_ACCOUNT, "ana@example.org") for _ in range(6)]
    assert [hit.count for hit in hits] == [1, 2, 3, 4, 5, 6]
    assert [hit.over for hit in hits] == [False] * 5 + [True]
    assert rules.hit(SIGN_IN_ACCOUNT, "bob@example.org").count == 1  # another key
    assert rules.hit(RESET_ADDRESS, "ana@example.org").count == 1  # another rule


def test_a_window_ends_on_the_clock_and_retry_after_counts_down_to_it(store_app):
    rules, clock = limits.of(store_app), use_clock(store_app, Clock())
    window = store_app.config["SIGN_IN_WINDOW_SECONDS"]
    for _ in range(6):
        hit = rules.hit(SIGN_IN_ACCOUNT, "ana@example.org")
    assert rules.retry_after([hit]) == window
    clock.advance(window - 10)
    assert rules.hit(SIGN_IN_ACCOUNT, "ana@example.org").over
    assert rules.retry_after([hit]) == 10
    clock.advance(10)  # the next window
    assert rules.hit(SIGN_IN_ACCOUNT, "ana@example.org").count == 1


def test_undo_and_clear(store_app):
    rules = limits.of(store_app)
    use_clock(store_app, Clock())
    first = rules.hit(SIGN_IN_ACCOUNT, "ana@example.org")
    rules.hit(SIGN_IN_ACCOUNT, "ana@example.org")
    rules.undo(first)
    assert rules.hit(SIGN_IN_ACCOUNT, "ana@example.org").count == 2
    rules.clear(first)
    assert rules.hit(SIGN_IN_ACCOUNT, "ana@example.org").count == 1


def test_two_apps_on_one_store_share_their_counts(store_app):
    other = twin(store_app)
    try:
        clock = Clock()
        use_clock(store_app, clock)
        use_clock(other, clock)
        assert limits.of(store_app).hit(SIGN_IN_ACCOUNT, "ana@example.org").count == 1
        assert limits.of(other).hit(SIGN_IN_ACCOUNT, "ana@example.org").count == 2
        assert limits.of(store_app).hit(SIGN_IN_ACCOUNT, "ana@example.org").count == 3
    finally:
        close(other)


def test_concurrent_hits_are_each_counted_once(store_app):
    """Threads on their own connections: every count from 1 to N is handed out exactly once."""
    clock, counts, errors = Clock(), [], []
    use_clock(store_app, clock)

    def hit_ten_times() -> None:
        try:
            with store_app.app_context():
                for _ in range(10):
                    counts.append(limits.of(store_app).hit(SIGN_IN_ACCOUNT, "ana@example.org"))
        except Exception as error:  # reported below: a thread's exception is not the test's
            errors.append(error)

    threads = [threading.Thread(target=hit_ten_times) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(hit.count for hit in counts) == list(range(1, 61))


def test_old_windows_are_deleted_from_the_database(app):
    from marketplace.extensions import db
    from marketplace.models import RateLimitCounter

    rules, clock = limits.of(app), use_clock(app, Clock())
    rules.hit(SIGN_IN_ACCOUNT, "ana@example.org")
    rules.hit(SIGN_IN_ACCOUNT, "bob@example.org")
    clock.advance(app.config["SIGN_IN_WINDOW_SECONDS"])
    rules.hit(SIGN_IN_ACCOUNT, "ana@example.org")  # a new window: ended ones are deleted
    with app.app_context():
        assert len(db.session.scalars(db.select(RateLimitCounter)).all()) == 1


def test_keys_name_neither_the_address_nor_the_network(app):
    rules = limits.of(app)
    key = rules.hit(SIGN_IN_ACCOUNT, "ana@example.org").key
    assert "ana" not in key
    assert "example" not in key
    assert key.startswith(app.config["RATE_LIMIT_PREFIX"])
