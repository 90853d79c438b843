"""Who may do what: small pure functions shared by services, views and templates."""

from __future__ import annotations

from typing import Any

from .vocab import Role, Status


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_moderate(user: Any) -> bool:
    """Curators and admins review submissions and see every entry."""
    return _signed_in(user) and user.role in (Role.CURATOR, Role.ADMIN)


def is_admin(user: Any) -> bool:
    return _signed_in(user) and user.role == Role.ADMIN


def belongs_to_city(user: Any, city_id: int | None) -> bool:
    return _signed_in(user) and city_id is not None and user.city_id == city_id


def can_view(user: Any, solution: Any) -> bool:
    """The public sees published entries only; the owning city's publishers and curators see all."""
    if solution.status == Status.PUBLISHED:
        return True
    return can_moderate(user) or belongs_to_city(user, solution.city_id)


def can_edit(user: Any, solution: Any) -> bool:
    """Publishers edit their own city's entries; curators edit any entry."""
    return can_moderate(user) or (
        belongs_to_city(user, solution.city_id) and user.role == Role.PUBLISHER
    )


def can_publish_for_city(user: Any) -> bool:
    """Publishers write their own city's entries (curators and admins moderate instead)."""
    return _signed_in(user) and user.role == Role.PUBLISHER and user.city_id is not None
