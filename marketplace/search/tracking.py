"""Outbox rows written in the changing transaction, and a drain once that transaction committed.

Every flush that touches an entry, or a city or taxonomy term an entry's index document shows,
inserts search_outbox rows on the same connection, so they commit or roll back with the change.
After a commit, the end of the request (or of the CLI command) drains the outbox into the index.
Rows this index has not applied (a drain left them behind, or another web node committed them)
are picked up before a search and at the end of a later request: a process checks at most every
SEARCH_CATCHUP_INTERVAL seconds whether the outbox is ahead of its index.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event, func, insert, inspect, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import (
    Challenge,
    City,
    SearchChange,
    Solution,
    SolutionTranslation,
    Track,
    TransversalService,
)
from ..sqltypes import utc_now
from . import position
from .index import current_dir

log = logging.getLogger(__name__)

# Entity name of each tracked model, and the attributes whose change alters index documents
# (None: any change). Documents hold taxonomy slugs and pages read labels from the database, but
# a curator's rename still reindexes the term's entries, so no document can keep an old name.
TRACKED: dict[type, tuple[str, tuple[str, ...] | None]] = {
    Solution: ("solution", None),
    City: ("city", ("name", "slug", "country")),
    Challenge: ("challenge", ("slug", "name", "track_id", "track")),
    Track: ("track", ("slug", "name")),
    TransversalService: ("service", ("slug", "name")),
}
PENDING = "search_outbox_pending"
CATCH_UP = "search_catch_up"  # key of the app's _CatchUp in app.extensions


def _relevant(obj: Any, attributes: tuple[str, ...] | None, session: Session) -> bool:
    if obj in session.new or obj in session.deleted:
        return True
    if attributes is None:
        return session.is_modified(obj, include_collections=True)
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in attributes)


def changes(session: Session) -> set[tuple[str, int]]:
    """The (entity, id) pairs this flush changes in a way the index has to follow."""
    found = set()
    for obj in itertools.chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, SolutionTranslation):  # an entry's document holds every version
            entry = obj.solution_id if obj.solution_id is not None else obj.solution
            entry = getattr(entry, "id", entry)
            if entry is not None and _relevant(obj, None, session):
                found.add(("solution", entry))
            continue
        tracked = TRACKED.get(type(obj))
        if tracked is None:
            continue
        entity, attributes = tracked
        if obj.id is not None and _relevant(obj, attributes, session):
            found.add((entity, obj.id))
    return found


def _after_flush(session: Session, _context: Any) -> None:
    found = changes(session)
    if not found:
        return
    now = utc_now()
    session.connection().execute(
        insert(SearchChange),
        [{"entity": e, "entity_id": i, "created_at": now} for e, i in sorted(found)],
    )
    session.info[PENDING] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(PENDING, False) and has_app_context():
        g.search_drain_due = True


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def _drain() -> None:
    from .sync import drain

    try:
        drain()
    except Exception:  # the outbox keeps the change: the next drain or `search sync` applies it
        log.exception("search index update failed; the change stays in the outbox")


def _drain_if_due(_exc: BaseException | None = None) -> None:
    """Drain after a request or app context that committed changes; never fails the response."""
    if g.pop("search_drain_due", False):
        _drain()


@dataclass
class _CatchUp:
    """When this process last asked whether the outbox is ahead of the index."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    next_check: float = float("-inf")  # time.monotonic() value


def outbox_ahead() -> bool:
    """Whether the newest outbox row is one the live index has not applied (one cheap query)."""
    directory = current_dir()
    if directory is None:
        return False
    with db.engine.connect() as connection:
        newest = connection.scalar(select(func.max(SearchChange.id)))
    return newest is not None and not position.read(directory).is_applied(newest)


def catch_up() -> None:
    """Before a search: apply what other processes committed, if the interval says to check.

    The drain runs in a thread of its own, waited for at most SEARCH_CATCHUP_WAIT seconds: a slow
    one finishes in the background while this search answers from the index as it is. Never
    fails the search (a failing check is logged and tried again after the interval).
    """
    app = current_app._get_current_object()
    state: _CatchUp | None = app.extensions.get(CATCH_UP)
    now = time.monotonic()
    if state is None or now < state.next_check or not state.lock.acquire(blocking=False):
        return  # checked recently, or another thread is checking or draining
    state.next_check = now + app.config["SEARCH_CATCHUP_INTERVAL"]
    try:
        due = outbox_ahead()
    except Exception:
        log.exception("search outbox check failed")
        due = False
    if not due:
        state.lock.release()
        return
    worker = threading.Thread(target=_drain_holding, args=(app, state), name="search-catch-up")
    worker.start()
    worker.join(app.config["SEARCH_CATCHUP_WAIT"])


def _drain_holding(app: Flask, state: _CatchUp) -> None:
    """Drain in ``app``, then release the catch-up lock ``catch_up`` took."""
    try:
        with app.app_context():
            _drain()
    finally:
        state.lock.release()


def _drain_after_request(_exc: BaseException | None = None) -> None:
    """Drain what this request committed or, now and then, what an earlier drain left behind.

    Entries the drain indexed are embedded afterwards, in a background thread (vectors.py).
    """
    if g.pop("search_drain_due", False):
        _drain()  # applies every pending row, earlier ones included
        _embed_soon()
        return
    state: _CatchUp = current_app.extensions[CATCH_UP]
    now = time.monotonic()
    if now < state.next_check or not state.lock.acquire(blocking=False):
        return  # checked recently, or another thread is checking
    try:
        state.next_check = now + current_app.config["SEARCH_CATCHUP_INTERVAL"]
        if outbox_ahead():
            _drain()
        if vectors_missing():
            _embed_soon()
    except Exception:  # a database or index hiccup must not fail the response
        log.exception("search outbox check failed")
    finally:
        state.lock.release()


def _embed_soon() -> None:
    from .vectors import embed_soon

    try:
        embed_soon(current_app._get_current_object())
    except Exception:
        log.exception("could not start embedding; `flask search embed` does it")


def vectors_missing() -> bool:
    """Whether the live index holds documents without a vector (and an encoder could make them)."""
    from . import live, meaning

    model = meaning.encoder()
    generation = live.generation() if model is not None else None
    if generation is None:
        return False
    return generation.meaning(model).without > 0


def init_app(app: Flask) -> None:
    """Listen to the app's SQLAlchemy sessions and drain after each request that committed."""
    session_class = db.session.session_factory.class_
    for name, listener in (
        ("after_flush", _after_flush),
        ("after_commit", _after_commit),
        ("after_rollback", _after_rollback),
    ):
        if not event.contains(session_class, name, listener):
            event.listen(session_class, name, listener)
    app.extensions[CATCH_UP] = _CatchUp()
    app.teardown_request(_drain_after_request)
    app.teardown_appcontext(_drain_if_due)
