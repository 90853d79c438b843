"""Snippets of matched text with the matched words marked: escaped first, then marked."""

from __future__ import annotations

from html import escape

from markupsafe import Markup
from whoosh import highlight

from .schema import ANALYZER

SNIPPET_CHARS = 240


class _MarkFormatter(highlight.Formatter):
    """Wraps each match in <mark>; every piece of user text is HTML-escaped on the way."""

    between = " … "

    def _text(self, text: str) -> str:
        return escape(text, quote=False)

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{escape(highlight.get_text(text, token, replace), quote=False)}</mark>"


_fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
_formatter = _MarkFormatter()


def snippet(texts: list[str], terms: set[str]) -> Markup | None:
    """A snippet of the first text that contains one of the analysed ``terms``, or None."""
    if not terms:
        return None
    for text in texts:
        if not text:
            continue
        marked = highlight.highlight(
            text, frozenset(terms), ANALYZER, _fragmenter, _formatter, top=2
        )
        if marked:
            return Markup(marked)  # noqa: S704 (every piece escaped by _MarkFormatter)
    return None
