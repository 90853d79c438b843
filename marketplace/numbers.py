"""Whole numbers from URLs and forms, kept to what a database integer column can hold."""

from __future__ import annotations

# Ids are INTEGER columns: 32 bits on PostgreSQL, the narrower of our two databases. A number
# beyond it can match no row, and binding it raises instead of finding nothing.
ID_MAX = 2**31 - 1
DIGITS = len(str(ID_MAX))


def parse_id(raw: str | None) -> int | None:
    """``raw`` as a whole number from 1 to ID_MAX, or None when it is anything else.

    Only ASCII digits count: ``str.isdigit`` also accepts characters such as "²" that ``int``
    refuses.
    """
    if not raw or len(raw) > DIGITS or not (raw.isascii() and raw.isdigit()):
        return None
    number = int(raw)
    return number if 1 <= number <= ID_MAX else None
