"""The Markdown sanitiser: the only path from user text to HTML."""

from html import unescape
from html.parser import HTMLParser

import pytest

from marketplace.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown


class _Elements(HTMLParser):
    """Collects every (tag, attributes) pair of an HTML fragment as a browser would parse it."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html):
    parser = _Elements()
    parser.feed(str(html))
    return parser.elements


XSS = [
    ("<script>alert(1)</script>", "<script"),
    ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<script"),
    ("<style>body{display:none}</style>", "<style"),
    ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ('<img src=x onerror="alert(1)">', "onerror"),
    ('<a href="https://ok.example" onclick="alert(1)">x</a>', "onclick"),
    ('<div onmouseover="alert(1)">hover</div>', "onmouseover"),
    ("[click](javascript:alert(1))", "javascript:"),
    ("[click](JaVaScRiPt:alert(1))", "javascript:"),
    ("[click](  javascript:alert(1))", "javascript:"),
    ('<a href="javascript&#58;alert(1)">x</a>', "javascript"),
    ("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "data:"),
    ("![x](data:image/svg+xml;base64,PHN2Zz4=)", "data:"),
    ("<svg><script>alert(1)</script></svg>", "<svg"),
    ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', "javascript"),
    ("<object data=evil.swf></object>", "<object"),
    ("<embed src=evil.swf>", "<embed"),
    ('<form action="https://evil.example"><input name=p></form>', "<form"),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example">', "<meta"),
    ('<base href="https://evil.example/">', "<base"),
    ('<link rel=stylesheet href="https://evil.example/x.css">', "<link"),
    ('<p style="background:url(javascript:alert(1))">x</p>', "style="),
    ("<!-- <script>alert(1)</script> -->", "<script"),
    ('[x](https://ok.example "title" onmouseover=alert(1))', "onmouseover="),
    ('<a href="vbscript:msgbox(1)">x</a>', "vbscript"),
]


@pytest.mark.parametrize(("source", "forbidden"), XSS)
def test_dangerous_markup_is_neutralised(source, forbidden):
    html = render_markdown(source)
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS
        assert set(attrs) <= set(ALLOWED_ATTRIBUTES.get(tag, ())), (tag, attrs)
        href = unescape(attrs.get("href") or "").strip().lower()
        assert href.startswith(("http://", "https://", "mailto:")) or not href, href
    # Whatever is left of the attack is inert text, never markup.
    assert f"<{forbidden.lstrip('<')}" not in str(html).lower() or not forbidden.startswith("<")


def test_markdown_formatting_survives():
    html = str(render_markdown("# Title\n\nSome **bold** and *em*.\n\n- one\n- two\n\n`code`"))
    assert "<h3" in html
    assert "Title" in html
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<li>one</li>" in html
    assert "<code>code</code>" in html


def heading_levels(html) -> list[int]:
    return [int(tag[1]) for tag, _ in elements(html) if tag in {f"h{n}" for n in range(1, 7)}]


@pytest.mark.parametrize(
    ("source", "levels"),
    [
        ("### Alone", [3]),
        ("# One\n\n## Two\n\n### Three", [3, 4, 5]),
        ("## Two\n\n#### Four", [3, 4]),  # no gap where the writer skipped a level
        ("### Deep\n\n# Shallow", [3, 3]),  # never above the section's next level
        ("# A\n\n### B\n\n## C\n\n# D", [3, 4, 4, 3]),
        ("###### A\n\n###### B", [3, 3]),
        ("# 1\n\n## 2\n\n### 3\n\n#### 4\n\n##### 5\n\n###### 6", [3, 4, 5, 6, 6, 6]),
        ("<h6>Raw</h6>\n\n<h2>HTML</h2>", [3, 3]),  # headings written in HTML too
        ("Title\n=====\n\nSub\n---", [3, 4]),
    ],
)
def test_headings_continue_the_page_outline(source, levels):
    assert heading_levels(render_markdown(source)) == levels


def test_headings_follow_the_level_they_sit_under():
    source = "# Profile\n\n### Priorities"
    assert heading_levels(render_markdown(source, under=1)) == [2, 3]
    assert heading_levels(render_markdown(source, under=3)) == [4, 5]
    assert heading_levels(render_markdown("# Never an h1", under=0)) == [2]


def test_heading_ids_are_dropped():
    assert "id=" not in str(render_markdown("## Results"))


def test_written_links_get_untrusted_rel():
    html = str(render_markdown("[portal](https://opendata.example/)"))
    assert 'href="https://opendata.example/"' in html
    assert 'rel="nofollow noopener ugc"' in html


def test_bare_urls_become_links_with_rel():
    html = str(render_markdown("See https://data.europa.eu/datasets for details."))
    assert '<a href="https://data.europa.eu/datasets" rel="nofollow noopener ugc">' in html


def test_mailto_links_are_kept():
    links = [attrs for tag, attrs in elements(render_markdown("<team@city.example>")) if tag == "a"]
    assert [unescape(attrs["href"]) for attrs in links] == ["mailto:team@city.example"]


def test_text_is_escaped_not_interpreted():
    html = str(render_markdown('5 < 6 & 7 > 3 "quoted"'))
    assert "&lt;" in html
    assert "&amp;" in html


def test_tables_render():
    html = str(render_markdown("| a | b |\n|---|---|\n| 1 | 2 |"))
    assert "<table>" in html
    assert "<td>1</td>" in html


@pytest.mark.parametrize("empty", [None, ""])
def test_empty_input_renders_nothing(empty):
    assert str(render_markdown(empty)) == ""


def test_plain_text_keeps_the_words_and_drops_the_markup():
    from marketplace.markup import plain_text

    source = (
        "### What we did\n\nWe ran an **open data** programme with [three](https://x.example) "
        "parts:\n\n1. A *portal*\n- `code` & <b>more</b>\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert plain_text(source) == (
        "What we did We ran an open data programme with three parts: A portal code & more a b 1 2"
    )
    assert plain_text("") == ""
    assert plain_text(None) == ""


def test_rendering_in_several_threads_gives_what_one_thread_does():
    from concurrent.futures import ThreadPoolExecutor

    sources = [
        f"# Part {n}\n\n### Step {n}\n\nSee https://x.example/{n} and **{n}**." for n in range(40)
    ]
    expected = [str(render_markdown(source)) for source in sources]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert [str(html) for html in pool.map(render_markdown, sources * 5)] == expected * 5
