"""Writing the audit trail; every service that changes something curators answer for calls it."""

from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import AuditEvent, Solution


def record(
    actor: Any,
    action: str,
    target: str = "",
    detail: str = "",
    solution: Solution | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (flushes nothing; the caller commits)."""
    actor_id = getattr(actor, "id", None) if actor is not None else None
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        target=target or (solution.title if solution is not None else ""),
        detail=detail,
        solution=solution,
    )
    db.session.add(event)
    return event
