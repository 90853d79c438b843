"""No template carries what the Content-Security-Policy refuses: inline script, style, handlers."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGES = sorted(TEMPLATES.rglob("*.html"))
INLINE = {
    # A <script> without src= runs inline code; one with src= loads a static file, and a JSON-LD
    # data block is not run at all (script-src does not govern it).
    "inline <script>": re.compile(
        r"<script\b(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>", re.IGNORECASE
    ),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "style= attribute": re.compile(r"\bstyle\s*=", re.IGNORECASE),
    "on...= event handler": re.compile(r"\bon[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_every_page_template_is_scanned():
    assert len(PAGES) > 40
    assert TEMPLATES / "base.html" in PAGES


@pytest.mark.parametrize("template", PAGES, ids=[str(p.relative_to(TEMPLATES)) for p in PAGES])
def test_template_has_no_inline_script_or_style(template):
    text = template.read_text(encoding="utf-8")
    found = [
        f"{what} at line {text.count(chr(10), 0, match.start()) + 1}"
        for what, pattern in INLINE.items()
        for match in pattern.finditer(text)
    ]
    assert found == []


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        '<script type="module">x()</script>',
        "<style>p{}</style>",
        '<p style="color:red">',
        '<button onclick="go()">',
        '<a href="javascript:go()">',
    ],
)
def test_the_scan_finds_inline_code(markup):
    assert any(pattern.search(markup) for pattern in INLINE.values())


def test_the_scan_lets_a_script_file_through():
    markup = '<script src="/static/search.js" defer></script><link rel="stylesheet" href="x.css">'
    assert not any(pattern.search(markup) for pattern in INLINE.values())


def test_the_scan_lets_a_json_ld_data_block_through():
    markup = '<script type="application/ld+json">{"@type": "City"}</script>'
    assert not any(pattern.search(markup) for pattern in INLINE.values())
