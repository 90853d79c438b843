"""Old addresses that answer 301 with the new one, instead of 404."""

from __future__ import annotations

from sqlalchemy import delete, select

from ..extensions import db
from ..models import City, SlugRedirect, Solution
from ..vocab import Status
from .errors import DomainError

# Kind of redirect -> the model whose rows it points at, and the page that shows one.
KINDS = {"solution": (Solution, "catalogue.detail"), "city": (City, "cities.detail")}


class Moved(DomainError):
    """The page lives at another address now: one error handler answers 301."""

    status_code = 301

    def __init__(self, endpoint: str, **values: str) -> None:
        super().__init__("This page has moved.")
        self.endpoint = endpoint
        self.values = values


def record(kind: str, old_slug: str, target_id: int) -> None:
    """Send ``old_slug`` to row ``target_id`` from now on (inside the caller's unit of work).
    Redirects that pointed at ``old_slug``'s own row follow it to the target too."""
    model, _ = KINDS[kind]
    db.session.merge(SlugRedirect(kind=kind, old_slug=old_slug, target_id=target_id))
    old_row = db.session.scalar(select(model.id).where(model.slug == old_slug))
    if old_row is not None and old_row != target_id:
        db.session.execute(
            SlugRedirect.__table__.update()
            .where(SlugRedirect.kind == kind, SlugRedirect.target_id == old_row)
            .values(target_id=target_id)
        )


def forget(kind: str, slug: str) -> None:
    """``slug`` is a live row's address again: it no longer redirects."""
    db.session.execute(
        delete(SlugRedirect).where(SlugRedirect.kind == kind, SlugRedirect.old_slug == slug)
    )


def raise_if_moved(kind: str, slug: str) -> None:
    """:raises Moved: ``slug`` is an old address of a row that is public under another one."""
    model, endpoint = KINDS[kind]
    query = (
        select(model.slug)
        .join(SlugRedirect, SlugRedirect.target_id == model.id)
        .where(SlugRedirect.kind == kind, SlugRedirect.old_slug == slug)
    )
    if model is Solution:
        query = query.where(Solution.status == Status.PUBLISHED)
    current = db.session.scalar(query)
    if current is not None and current != slug:
        raise Moved(endpoint, slug=current)
