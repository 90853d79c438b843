"""Requests as the app reads them: no NUL character in any parameter, and none in a path.

No browser types NUL, but a crafted request can carry it anywhere, and PostgreSQL refuses it in
text: a slug, a search filter or a curator's comment holding one raised a server error there
(SQLite stored it). Every query and form parameter is read without it, whichever view reads it
and however (forms clean other control characters themselves, see forms.Form); a path holding
one names no page.
"""

from __future__ import annotations

from typing import Any

from flask import Request as FlaskRequest
from flask import abort, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

NUL = "\x00"


def _without_nul(value: Any) -> Any:
    return value.replace(NUL, "") if isinstance(value, str) else value


class Parameters(ImmutableMultiDict):
    """Query and form parameters, NUL characters removed from names and values."""

    def __init__(self, mapping: Any = None) -> None:
        pairs = MultiDict(mapping).items(multi=True) if mapping is not None else ()
        super().__init__([(_without_nul(key), _without_nul(value)) for key, value in pairs])


class Request(FlaskRequest):
    parameter_storage_class = Parameters


def refuse_nul_path() -> None:
    """Before any view: a path holding NUL is not found (no slug or token can hold one)."""
    if NUL in request.path:
        abort(404)
