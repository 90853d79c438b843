"""The ``<id:...>`` URL converter: ids from 1 to ID_MAX, anything else matches no route."""

from __future__ import annotations

from werkzeug.routing import BaseConverter, ValidationError

from ..numbers import DIGITS, ID_MAX, parse_id

__all__ = ["ID_MAX", "IdConverter", "parse_id"]


class IdConverter(BaseConverter):
    """``<id:name>`` in a route: a number from 1 to ID_MAX, else the URL matches nothing (404).

    Use it instead of ``<id:...>``, whose numbers have no upper bound.
    """

    regex = rf"[1-9][0-9]{{0,{DIGITS - 1}}}"
    weight = 50  # as Werkzeug's number converters: a number outranks a plain string part

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))
