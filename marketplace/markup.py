"""The only path from user Markdown to HTML: Markdown, then bleach with an explicit allowlist."""

from __future__ import annotations

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


def plain_text(text: str | None) -> str:
    """The words of user Markdown without any markup, for snippets and previews."""
    if not text:
        return ""
    html = markdown.markdown(text, output_format="html")
    return " ".join(unescape(bleach.clean(html, tags=set(), strip=True)).split())
