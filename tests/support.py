"""What tests import besides fixtures: the test configuration, the test accounts' password, sign_in,
counted_statements.

A module of its own because `from conftest import` finds tests/functional/conftest.py when the
whole suite runs.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import event

from marketplace.extensions import db

if TYPE_CHECKING:
    from flask.testing import FlaskClient

    from marketplace.models import User

PASSWORD = "correct horse battery"  # what make_user gives every account unless told otherwise

TEST_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "SECRET_KEY": "test-secret",
    "PER_PAGE": 5,
    # Argon2id at its cheapest: hashing is not under test in most tests (test_models checks the
    # production cost once), and at production cost it took most of the suite's time.
    "PASSWORD_HASH_TIME_COST": 1,
    "PASSWORD_HASH_MEMORY_COST": 8,
    "PASSWORD_HASH_PARALLELISM": 1,
    # Lexical ranking unless a test gives an encoder (tests/search/test_meaning.py): the real one
    # costs a tenth of a second an entry, and rankings under test stay those of the words.
    "SEARCH_ENCODER": "none",
    # No embedding thread outliving its test (the one test of it turns it on and waits for it):
    # CPython 3.11 fails an ast.parse (URL rules in create_app) that runs while another thread
    # parses (numpy's .npy headers), gh-106905.
    "SEARCH_EMBED_IN_BACKGROUND": False,
    # A search waits for the catch-up drain it starts however slow a loaded machine makes it, so
    # no drain is still running when a test looks at the index (one test shortens it).
    "SEARCH_CATCHUP_WAIT": 60.0,
}


def sign_in(client: FlaskClient, user: User) -> FlaskClient:
    """Sign ``client`` in as ``user`` by writing the session Flask-Login reads, as a sign-in would.

    For tests about what a signed-in user may do; tests about signing in itself go through the
    form (``Auth.login``).
    """
    with client.session_transaction() as session:
        session.clear()
        session.permanent = True
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


@contextmanager
def counted_statements():
    """The SQL statements sent while the block runs (a list that fills as they are sent)."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
