"""Whole numbers from URLs and forms, kept to what a database integer column can hold."""

from __future__ import annotations

from werkzeug.routing import BaseConverter, ValidationError

# Ids are INTEGER columns: 32 bits on PostgreSQL, the narrower of our two databases. A number
# beyond it can match no row, and binding it raises instead of finding nothing.
ID_MAX = 2**31 - 1
_DIGITS = len(str(ID_MAX))


def parse_id(raw: str | None) -> int | None:
    """``raw`` as a whole number from 1 to ID_MAX, or None when it is anything else.

    Only ASCII digits count: ``str.isdigit`` also accepts characters such as "²" that ``int``
    refuses.
    """
    if not raw or len(raw) > _DIGITS or not (raw.isascii() and raw.isdigit()):
        return None
    number = int(raw)
    return number if 1 <= number <= ID_MAX else None


class IdConverter(BaseConverter):
    """``<id:name>`` in a route: a number from 1 to ID_MAX, else the URL matches nothing (404).

    Use it instead of ``<id:...>``, whose numbers have no upper bound.
    """

    regex = rf"[1-9][0-9]{{0,{_DIGITS - 1}}}"
    weight = 50  # as Werkzeug's number converters: a number outranks a plain string part

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))
