"""Reading a rendered page the way a visitor meets it: headings, sections, links, cards, text.

A small tree built with the standard library's HTML parser, enough to scope an assertion to one
part of a page (the main content, one section, one table row) instead of searching raw markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def iter(self):
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements inside (or equal to) this one with ``tag`` and ``attrs``.

        ``class_="x"`` matches one class among several; other keywords name attributes with
        underscores for hyphens (``aria_current="page"``).
        """
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and all(element._has(name, value) for name, value in wanted.items())
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        """The first match of :meth:`find_all`; fails the test when there is none."""
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'}> with {attrs} in the page"
        return found[0]

    def _has(self, name: str, value: str) -> bool:
        if name == "class":
            return value in self.attrs.get("class", "").split()
        return self.attrs.get(name) == value

    @property
    def text(self) -> str:
        """The visible text, with runs of HTML whitespace collapsed (no-break spaces are kept)."""
        return re.sub(r"[ \t\n\r\f]+", " ", "".join(self._strings())).strip(" ")

    def _strings(self):
        for child in self.children:
            if isinstance(child, Element):
                yield from child._strings()
            else:
                yield child

    @property
    def hrefs(self) -> list[str]:
        return [link["href"] for link in self.find_all("a") if "href" in link.attrs]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(response_or_html) -> Element:
    """The document tree of a test client response (or of an HTML string)."""
    html = response_or_html
    if not isinstance(html, str):
        html = response_or_html.get_data(as_text=True)
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def main(response) -> Element:
    """The page's main content, without the site header and footer."""
    return parse(response).find("main")


def section(scope: Element, title: str) -> Element:
    """The region of ``scope`` whose accessible name (aria-label or labelling heading) starts
    with ``title``."""
    for element in scope.iter():
        name = element.get("aria-label")
        if name is None and element.get("aria-labelledby"):
            name = scope.find(id=element["aria-labelledby"]).text
        if name is not None and name.startswith(title):
            return element
    raise AssertionError(f"no region named {title!r} in the page")


def headings(scope: Element) -> list[str]:
    """The text of every heading in ``scope``, in document order."""
    return [element.text for element in scope.iter() if re.fullmatch(r"h[1-6]", element.tag)]


def skipped_heading_levels(scope: Element) -> list[str]:
    """Headings more than one level under the heading before them (axe's heading-order)."""
    skipped, previous = [], 0
    for element in scope.iter():
        if re.fullmatch(r"h[1-6]", element.tag):
            level = int(element.tag[1])
            if level > previous + 1:
                skipped.append(f"h{previous} then {element.tag} {element.text!r}")
            previous = level
    return skipped


def card_titles(scope: Element) -> list[str]:
    """Titles of the entry cards in ``scope``, in the order shown."""
    return [card.find("a").text for card in scope.find_all(class_="card-title")]
