"""Reading the page number from the query string and paginating a select."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from ..extensions import db

MAX_PAGE = 10_000


def page_number() -> int:
    """The requested page: not a positive whole number means page 1; at most MAX_PAGE."""
    page = request.args.get("page", 1, type=int)
    return min(page, MAX_PAGE) if page is not None and page >= 1 else 1


def paginate(query: Select, total: int | None = None) -> Pagination:
    """A page of ``query``; ``total``, when already known (the search index's counts), is the
    number of rows it selects and saves counting them."""
    pagination = db.paginate(
        query,
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
        count=total is None,
    )
    if total is not None:
        pagination.total = total
    return pagination


@dataclass(frozen=True)
class Pages:
    """Page navigation for results that do not come from a select (search results)."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(
        self, left_edge: int = 1, left_current: int = 2, right_current: int = 3, right_edge: int = 1
    ) -> Iterator[int | None]:
        """Page numbers to link, with None where a run of numbers is left out."""
        shown = set(range(1, min(left_edge, self.pages) + 1))
        shown |= set(range(max(1, self.page - left_current), self.page + right_current))
        shown |= set(range(max(1, self.pages - right_edge + 1), self.pages + 1))
        previous = 0
        for number in sorted(n for n in shown if 1 <= n <= self.pages):
            if number != previous + 1:
                yield None
            yield number
            previous = number
