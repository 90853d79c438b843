"""Database rules: SQLite connection settings, and the one unit of work every writing service uses.

A service that writes is decorated with ``@transactional`` (or opens ``with unit_of_work()``):
the write transaction starts up front (BEGIN IMMEDIATE on SQLite, a plain BEGIN elsewhere),
commits once at the end, rolls back on any exception, turns a lost optimistic-locking race into
the domain error ``InvalidTransition``, and only after a successful commit runs the work
registered with ``after_commit`` (mail). A service called from another joins the outer unit.
Inside a request, a commit from anywhere else is refused: writes cannot bypass the unit.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from flask import has_request_context
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .extensions import db
from .services.errors import InvalidTransition

log = logging.getLogger(__name__)

# Execution option that takes the write lock up front: a deferred BEGIN that reads and then
# writes fails under concurrent writers.
WRITE = {"sqlite_begin": "IMMEDIATE"}
UNIT = "unit_of_work"  # key of the open unit in session.info
COMMITTING = "unit_of_work_commits"  # set while the unit itself commits
FLUSHED = "unit_of_work_flushed"  # the open transaction holds flushed, uncommitted changes

OUTDATED = _l(
    "Someone else changed this while you were looking at it. Nothing was changed: check its "
    "current state and try again."
)

P = ParamSpec("P")
R = TypeVar("R")


def configure_sqlite(engine: Engine, busy_timeout: int) -> None:
    """Install the connection rules on an SQLite engine (other databases are left alone)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is switched off so that "begin" below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


@dataclass
class UnitOfWork:
    """One write transaction, and what to do once it has committed."""

    outdated: str | LazyString = OUTDATED
    _after: list[tuple[Callable[[], None], str]] = field(default_factory=list)
    # Descriptions of after-commit work that failed (logged); the decision itself stands.
    failed: list[str] = field(default_factory=list)

    def after_commit(self, work: Callable[[], None], description: str) -> None:
        """Run ``work`` once the transaction has committed; a failure is logged and listed."""
        self._after.append((work, description))

    def _run_after_commit(self) -> None:
        for work, description in self._after:
            try:
                work()
            except Exception:  # the transaction is committed: report, never undo
                log.exception("after-commit work failed: %s", description)
                self.failed.append(description)
        self._after.clear()


def _commit(session: Session) -> None:
    session.info[COMMITTING] = True
    try:
        session.commit()
    finally:
        session.info.pop(COMMITTING, None)


def _begin_write(session: Session) -> None:
    """End a read transaction a request may have open (its objects reload inside the write, so
    what the service checks is current), then open the write transaction."""
    if session.in_transaction():
        if session.new or session.dirty or session.deleted or session.info.get(FLUSHED):
            raise RuntimeError("a unit of work must start before the first change")
        _commit(session)
    session.connection(execution_options=WRITE)


@contextmanager
def unit_of_work(outdated: str | LazyString = OUTDATED) -> Iterator[UnitOfWork]:
    """One write transaction around the block; nested use joins the unit already open.

    ``outdated`` is the message of the InvalidTransition raised when the commit loses an
    optimistic-locking race (the version column refused the UPDATE).
    """
    session = db.session()
    outer = session.info.get(UNIT)
    if outer is not None:
        yield outer
        return
    unit = UnitOfWork(outdated)
    _begin_write(session)
    session.info[UNIT] = unit
    try:
        yield unit
        _commit(session)
    except StaleDataError as error:
        session.rollback()
        raise InvalidTransition(str(unit.outdated)) from error
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(UNIT, None)
    unit._run_after_commit()


def transactional(function: Callable[P, R]) -> Callable[P, R]:
    """Run the decorated service function as one unit of work (see ``unit_of_work``)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return function(*args, **kwargs)

    return wrapper


def current_unit() -> UnitOfWork:
    """The unit of work open on this session.

    :raises RuntimeError: when none is open (after-commit work needs a commit to follow).
    """
    unit = db.session().info.get(UNIT)
    if unit is None:
        raise RuntimeError("no unit of work is open")
    return unit


def _refuse_stray_commit(session: Session) -> None:
    if has_request_context() and not session.info.get(COMMITTING):
        raise RuntimeError(
            "commit outside a unit of work: decorate the service with @transactional"
        )


def _note_flush(session: Session, _context: Any) -> None:
    session.info[FLUSHED] = True


def _transaction_ended(session: Session, *_args: Any) -> None:
    session.info.pop(FLUSHED, None)


def init_app(engine: Engine, busy_timeout: int) -> None:
    """Install the connection rules and the guard against commits outside a unit of work."""
    configure_sqlite(engine, busy_timeout)
    session_class = db.session.session_factory.class_
    for name, listener in (
        ("before_commit", _refuse_stray_commit),
        ("after_flush", _note_flush),
        ("after_commit", _transaction_ended),
        ("after_rollback", _transaction_ended),
    ):
        if not event.contains(session_class, name, listener):
            event.listen(session_class, name, listener)
