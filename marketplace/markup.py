"""The only path from user Markdown to HTML: Markdown, then bleach with an explicit allowlist."""

from __future__ import annotations

import re
from functools import partial
from html import unescape

import bleach
import markdown
from bleach.linkifier import LinkifyFilter
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "blockquote", "pre", "code",
        "strong", "em", "b", "i", "del", "sub", "sup", "abbr",
        "ul", "ol", "li", "dl", "dt", "dd",
        "h3", "h4", "h5", "h6",
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


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_link_rel], skip_tags={"pre", "code"})],
)


def render_markdown(text: str | None) -> Markup:
    """Render user Markdown to sanitised HTML, safe to place in a page.

    Headings start at level 3 so user text never competes with the page's own h1 and h2.
    """
    if not text:
        return Markup("")
    html = markdown.markdown(
        text,
        extensions=["sane_lists", "tables", "toc"],
        extension_configs={"toc": {"baselevel": 3}},
        output_format="html",
    )
    return Markup(_cleaner.clean(html))  # noqa: S704 (the sanitiser's own output)


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
