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


def can_author(user: Any, solution: Any) -> bool:
    """The owning city's publishers take an entry's author steps (withdraw, archive, discard
    pending changes); curators act through their own rules instead."""
    return belongs_to_city(user, solution.city_id) and user.role == Role.PUBLISHER


def can_edit(user: Any, solution: Any) -> bool:
    """Publishers edit their own city's entries; curators edit any entry."""
    return can_moderate(user) or can_author(user, solution)


def can_publish_for_city(user: Any) -> bool:
    """Publishers write their own city's entries (curators and admins moderate instead)."""
    return _signed_in(user) and user.role == Role.PUBLISHER and user.city_id is not None


def can_adopt(user: Any, solution: Any) -> bool:
    """Publishers of another city may record that their city adopted a published entry."""
    return (
        can_publish_for_city(user)
        and solution.status == Status.PUBLISHED
        and solution.city_id != user.city_id
    )


def can_contact(user: Any, solution: Any) -> bool:
    """Publishers of another city may write to a published entry's contact through the site."""
    return can_adopt(user, solution) and bool(solution.contact_email)


def can_contact_as_visitor(user: Any, solution: Any) -> bool:
    """A visitor who is not signed in may write to a published entry's contact, once they
    confirm their own email address."""
    return (
        not _signed_in(user)
        and solution.status == Status.PUBLISHED
        and bool(solution.contact_email)
    )


def can_edit_city(user: Any, city: Any) -> bool:
    """A city's publishers edit its profile; curators edit any city."""
    return can_moderate(user) or (can_publish_for_city(user) and user.city_id == city.id)


def can_manage_taxonomy(user: Any) -> bool:
    """Curators and admins create, rename, reorder and retire tracks, challenges and services."""
    return can_moderate(user)


def can_import(user: Any) -> bool:
    """Curators and admins import entries from files (CSV, publiccode.yml) into the review queue."""
    return can_moderate(user)


def can_import_for_city(user: Any, city: Any) -> bool:
    """Whose entries an import may create or change: any city's, for those who may import."""
    return can_import(user) and city is not None


def can_manage_cities(user: Any) -> bool:
    """Curators and admins add cities and edit any city's details."""
    return can_moderate(user)


def can_manage_users(user: Any) -> bool:
    """Admins invite accounts, change their role and city, and deactivate them."""
    return is_admin(user)


def skips_alert_confirmation(user: Any) -> bool:
    """A signed-in account's saved searches go to its own address without a confirmation
    mail: it set its password through a link mailed there (an invitation or a reset)."""
    return _signed_in(user) and bool(user.password_hash)


def can_manage_saved_search(user: Any, saved: Any) -> bool:
    """An account changes and deletes the saved searches it made, and the confirmed ones of
    its own address (made before it signed in); everyone else uses the links in the mails."""
    if not _signed_in(user):
        return False
    return saved.user_id == user.id or (
        saved.confirmed_at is not None and saved.email == user.email
    )
