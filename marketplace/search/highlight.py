"""Snippets of matched text with the matched words marked: escaped first, then marked.

A word matches when it analyses (folds, stems) to one of the query's terms, so "towns" is marked
for "town" as search matched it. The text is read in the language of the version shown (its
analysis, and the words as written), as the index read that version. Hand-rolled rather than
whoosh.highlight: that one re-analyses the whole text through the token pipeline and cost more
than the search itself on long entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from html import escape

from markupsafe import Markup

from .languages import DEFAULT, PLAIN_READING, analyse, normalise

SNIPPET_CHARS = 240
MAX_MARKS = 8
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=50_000)
def _terms_of(word: str, language: str) -> frozenset[str]:
    return frozenset((*analyse(word, language), *analyse(word, PLAIN_READING)))


@lru_cache(maxsize=256)
def _known(terms: frozenset[str], language: str) -> tuple[set[str], set[str]]:
    """Words already read for a question's terms: those that match and those that do not.

    A page's entries (and its next page, and the same question with a facet ticked) share most
    of their words, so each distinct word is analysed and compared once, then set operations
    in C sort a text's words.
    """
    return set(), set()


KNOWN_WORDS = 50_000  # words kept per question and language before the sets start again


def _matches(text: str, terms: frozenset[str], language: str) -> list[tuple[int, int]]:
    # A text none of whose words match costs no second pass, and the second pass only
    # compares strings.
    words = set(_WORD.findall(text))
    hit, miss = _known(terms, language)
    for word in words - hit - miss:
        (hit if _terms_of(word, language) & terms else miss).add(word)
    if len(miss) > KNOWN_WORDS:
        miss.clear()
    hits = words & hit
    if not hits:
        return []
    return [m.span() for m in _marker(frozenset(hits)).finditer(text)]


@lru_cache(maxsize=1024)
def _marker(words: frozenset[str]) -> re.Pattern:
    """A pattern finding exactly these whole words (as _WORD splits them), scanned in C rather
    than every word of the text compared in Python. Longest first: "towns" before "town"."""
    ordered = sorted(words, key=lambda word: (-len(word), word))
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)")


def _window(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The SNIPPET_CHARS-long stretch holding most matches, widened to word boundaries."""
    best_start, best_count = spans[0][0], 0
    last = 0  # spans[i:last] end within the window starting at spans[i] (a two-pointer sweep)
    for i, (start, _) in enumerate(spans):
        last = max(last, i)
        while last < len(spans) and spans[last][1] <= start + SNIPPET_CHARS:
            last += 1
        if last - i > best_count:
            best_start, best_count = start, last - i
    begin = max(0, best_start - SNIPPET_CHARS // 4)
    if begin:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < best_start else best_start
    end = min(len(text), begin + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > best_start else end
    return begin, end


def _mark(text: str, spans: list[tuple[int, int]], begin: int, end: int) -> str:
    parts = ["… " if begin else ""]
    at = begin
    for start, stop in spans:
        if start < begin or stop > end or len(parts) > 2 * MAX_MARKS:
            continue
        parts.append(escape(text[at:start], quote=False))
        parts.append(f"<mark>{escape(text[start:stop], quote=False)}</mark>")
        at = stop
    parts.append(escape(text[at:end], quote=False))
    parts.append(" …" if end < len(text) else "")
    return "".join(parts)


def snippet(texts: Iterable[str], terms: set[str], language: str = DEFAULT) -> Markup | None:
    """A snippet of the first text (written in ``language``) that contains one of the analysed
    ``terms``, or None. ``texts`` may be a generator: the texts after the one used are not read."""
    if not terms:
        return None
    language = normalise(language)
    wanted = frozenset(terms)
    for text in texts:
        spans = _matches(text, wanted, language) if text else []
        if spans:
            begin, end = _window(text, spans)
            return Markup(_mark(text, spans, begin, end))  # noqa: S704 (escaped piece by piece)
    return None
