"""Clean user text: no control characters anywhere, no line breaks in single-line values.

Browsers cannot type control characters, but pasted or posted text carries them: a line break
in a title broke every mail header built from it, and PostgreSQL refuses NUL in text columns.
"""

from __future__ import annotations

import re
from typing import Any

from text_unidecode import unidecode

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_ANY_CONTROL = re.compile(f"[{_CONTROLS}]")
# In multi-line text: line breaks and tabs stay; other controls go.
_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_OTHER_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def clean_line(value: Any) -> Any:
    """A single-line value: every control character or line break becomes a space; the ends
    are trimmed. Anything but a string is returned as it is."""
    if not isinstance(value, str):
        return value
    return _ANY_CONTROL.sub(" ", value).strip()


def clean_text(value: Any) -> Any:
    """A multi-line value: line breaks normalised to "\\n", tabs kept, other controls removed."""
    if not isinstance(value, str):
        return value
    return _OTHER_CONTROLS.sub("", _BREAKS.sub("\n", value))


def has_controls(value: str, multiline: bool = False) -> bool:
    """Whether ``value`` holds a control character its kind of field never keeps (line breaks
    and tabs are fine in multi-line text)."""
    return (_OTHER_CONTROLS if multiline else _ANY_CONTROL).search(value) is not None


def sort_key(value: str) -> tuple[str, str]:
    """Alphabetical order for names, the same on every database and collation: by the name in
    Latin letters without accents, case folded ("Évora" between "Braga" and "Faro", "Łódź"
    beside "Lodz", not after "Zagreb" where byte order puts both), then as written, so the
    order is total."""
    return unidecode(value).casefold(), value
