"""`GET /healthz` for load balancers: is the database reachable, how far behind is the index."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..search.lag import lag

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def check():
    """200 while the database answers, 503 when it does not; no session, no secrets, no versions.

    The search part says which index generation this node serves and how many outbox rows (and
    how many seconds of changes) it has not applied yet; a node with no index reports null.
    """
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            behind = lag(connection)
    except SQLAlchemyError:
        log.warning("health check: the database is unreachable", exc_info=True)
        body, status = {"status": "unavailable", "database": False, "search": None}, 503
    else:
        search = {
            "index": behind.index,
            "generation": behind.generation,
            "applied_outbox_id": behind.applied,
            "latest_outbox_id": behind.latest,
            "pending": behind.pending,
            "lag_seconds": behind.seconds,
        }
        body, status = {"status": "ok", "database": True, "search": search}, 200
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
