"""The only path from user Markdown to HTML: Markdown, then bleach with an explicit allowlist."""

from __future__ import annotations

import re
import threading
from functools import partial
from html import unescape

import bleach
import markdown
from bleach.html5lib_shim import Filter
from bleach.linkifier import LinkifyFilter
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "blockquote", "pre", "code",
        "strong", "em", "b", "i", "del", "sub", "sup", "abbr",
        "ul", "ol", "li", "dl", "dt", "dd",
        "h1", "h2", "h3", "h4", "h5", "h6",  # renumbered after sanitising (_Outline)
        "table", "thead", "tbody", "tr", "th", "td",
        "a",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "abbr": ["title"],
    "th": ["align"],
    "td": ["align"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener ugc"


def _link_rel(attrs: dict, new: bool = False) -> dict:
    """Mark every link as user-generated and untrusted (a bleach linkify callback)."""
    attrs[(None, "rel")] = LINK_REL
    return attrs


HEADINGS = frozenset(f"h{level}" for level in range(1, 7))


class _Outline(Filter):
    """Renumber headings to continue the page's outline from level ``top`` (an html5lib filter).

    The first heading becomes ``top``; a later one is one level under the nearest earlier heading
    written shallower, or at the level of an earlier one written at the same depth; no level is
    skipped and none is above ``top``. It runs on the sanitised tokens, so headings written in
    HTML are renumbered like Markdown ones.
    """

    def __init__(self, source, top: int):
        super().__init__(source)
        self.top = top

    def __iter__(self):
        outline: list[tuple[int, int]] = []  # (written, shown) of the headings still open
        shown_open: list[int] = []  # levels of the heading elements being written out
        for token in super().__iter__():
            if token.get("name") not in HEADINGS:
                yield token
            elif token["type"] == "StartTag":
                written = int(token["name"][1])
                while outline and outline[-1][0] > written:
                    outline.pop()
                if outline and outline[-1][0] == written:
                    shown = outline.pop()[1]
                else:
                    shown = outline[-1][1] + 1 if outline else self.top
                shown = min(shown, 6)
                outline.append((written, shown))
                shown_open.append(shown)
                yield {**token, "name": f"h{shown}"}
            elif token["type"] == "EndTag" and shown_open:
                yield {**token, "name": f"h{shown_open.pop()}"}
            else:
                yield token


# A Cleaner keeps parser state between calls, so each thread has its own, one per outline level.
_cleaners = threading.local()


def _cleaner(top: int) -> bleach.Cleaner:
    cleaners = _cleaners.__dict__.setdefault("by_top", {})
    if top not in cleaners:
        cleaners[top] = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[
                partial(LinkifyFilter, callbacks=[_link_rel], skip_tags={"pre", "code"}),
                partial(_Outline, top=top),
            ],
        )
    return cleaners[top]


def render_markdown(text: str | None, under: int = 2) -> Markup:
    """Render user Markdown to sanitised HTML, safe to place in a page.

    ``under`` is the level of the heading the text sits under (2 for a section of an entry
    page): the text's headings continue the outline from the next level, so a lone ``###``
    after the section's h2 is an h3, and ``#``, ``##``, ``###`` are h3, h4, h5.
    """
    if not text:
        return Markup("")
    html = markdown.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    top = min(max(under + 1, 2), 6)  # never an h1: the page has its own
    return Markup(_cleaner(top).clean(html))  # noqa: S704 (the sanitiser's own output)


# Markdown syntax to drop when only the words matter (snippets, similar-entry text). Cheaper than
# rendering and sanitising; the result is plain text and is escaped wherever it is shown.
_PLAIN_RULES = (
    (re.compile(r"<[^>]*>"), " "),  # raw HTML tags
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images keep their text
    (re.compile(r"^\s{0,3}(?:#{1,6}|>|[-*+]|\d+[.)])\s+", re.MULTILINE), ""),  # block markers
    (re.compile(r"^\s*\|?[\s:|-]*-{3,}[\s:|-]*$", re.MULTILINE), " "),  # rules, table lines
    (re.compile(r"[*_`~|]+"), " "),  # emphasis, code, table cells
)


def plain_text(text: str | None) -> str:
    """The words of user Markdown without its markup, for snippets and similarity."""
    if not text:
        return ""
    for pattern, replacement in _PLAIN_RULES:
        text = pattern.sub(replacement, text)
    return " ".join(unescape(text).split())
