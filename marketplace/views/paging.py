"""Reading the page number from the query string and paginating a select."""

from __future__ import annotations

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from ..extensions import db

MAX_PAGE = 10_000


def page_number() -> int:
    """The requested page: anything that is not a sensible page number means page 1."""
    page = request.args.get("page", 1, type=int)
    return page if page is not None and 1 <= page <= MAX_PAGE else 1


def paginate(query: Select) -> Pagination:
    return db.paginate(
        query, page=page_number(), per_page=current_app.config["PER_PAGE"], error_out=False
    )
