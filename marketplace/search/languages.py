"""Each language's analysis, the analyser that switches between them, and a query's languages.

Design (issue 11). Every language version of an entry goes into the same text fields (title,
summary, ...), each version's text opened by a marker naming its language (``mark``); the
field's analyser (``MultilingualAnalyzer``) reads the markers and analyses each stretch with
its language's analyser. Terms are not tagged with their language: a stem is a stem whichever
version holds it, so a query costs about the postings reads it cost before, names and shared
words ("Porto", "app", "data") meet across languages, an entry is one document (listed once,
counted once in every facet), and fast.py and phrases keep working on the same seven fields.
Positions jump by VERSION_GAP between versions, so a quoted phrase never runs from one version
into the next; BM25F reads a field's length per version (fast.Vectors.version_lengths), so a
translated entry is not pushed down by its longer fields.
Per-language field sets were the other shape, and were not taken: 16 analysers times 7 fields,
a query's terms looked up in each language's fields, and a language few entries are written in
would have had an average field length near zero in Whoosh's BM25F (its average is over every
document), which a per-field correction would have had to undo in every field.

Analysers: English keeps the analyser the catalogue had (acronyms, stop words, singulars,
Snowball), so English ranking is what it was; the other Snowball languages of ``whoosh.lang``
get the same chain with their own stop words and stemmer (Whoosh has no Romanian stop list and
no Turkish stemmer: those parts are left out); every other language is read plain (lower case,
accents of any script folded). Accents are folded before stemming everywhere, so a word typed
without them ("gestao") meets the text ("gestão").

A query's languages are those its words are detected to be in (``detect``), then the interface
language, then English (names, and text without a marker, are read as English). Detection sums,
per language, the words' Zipf frequencies in wordfreq's lists (the dependency spelling already
uses) and keeps every language within DETECT_SHARE of the best, among the interface languages
and those the catalogue's versions are written in (a language no entry is written in would
only misread words: "opne" is Norwegian). Lookups in one sorted array of hashed words: about
0.05 ms a question, where a statistical detector costs milliseconds and reads one word no
better. A word the languages read differently is still one word (query.Word): its terms are
scored as one term, so it never weighs more than a word they read alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache

import numpy as np
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
)
from whoosh.lang import NoStopWords, has_stemmer, stopwords_for_language
from whoosh.support.charset import accent_map

from ..i18n import LANGUAGES
from .schema import ANALYZER as ENGLISH
from .schema import SPELLING_ANALYZER, AcronymFilter, StopUnlessAcronym

DEFAULT = "en"  # the language of text without a marker (names, older callers)
INTERFACE = frozenset(LANGUAGES)  # the interface's languages: a query may always be in one
# Languages Whoosh has a Snowball stemmer and stop words for (ISO 639-1).
SNOWBALL = ("da", "de", "en", "es", "fi", "fr", "hu", "it", "nl", "no", "pt", "ro", "ru", "sv",
            "tr")  # fmt: skip
ALIASES = {"nb": "no", "nn": "no"}  # Norwegian written as Bokmål or Nynorsk
# Languages a query may be detected to be in: the Snowball ones and the other EU languages
# wordfreq knows (wordfreq's codes; Croatian is in its Serbo-Croatian list "sh").
DETECTABLE = (*SNOWBALL, "el", "pl", "cs", "sk", "sl", "bg", "hr", "lt", "lv")
_WORDFREQ_CODE = {"no": "nb", "hr": "sh"}
# A language counts as the query's when its words' summed Zipf frequencies reach this share of
# the best language's; at most MAX_DETECTED are kept, the likeliest first.
DETECT_SHARE = 0.8
MAX_DETECTED = 3
VERSION_GAP = 100  # positions skipped between two versions of one field


class FoldMarks(Filter):
    """Accents of every script dropped (Greek tonos too, which accent_map leaves)."""

    def __call__(self, tokens):
        for token in tokens:
            text = token.text
            if not text.isascii():
                decomposed = unicodedata.normalize("NFKD", text)
                token.text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
            yield token


# Languages without a Snowball stemmer: words as written, lower case, accents folded.
PLAIN = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | FoldMarks()

_MARK = "\x1f"  # a control character: query text never holds one (query.clean drops them)
_MARKER = re.compile(r"\x1f([a-z]{2,3})\x1f")
_WORD = re.compile(r"\w+")


def normalise(language: str | None) -> str:
    """An entry's or interface's language code as the analysers know it ("" for none)."""
    code = (language or "").lower().split("-")[0].split("_")[0]
    return ALIASES.get(code, code)


def mark(language: str, text: str) -> str:
    """``text`` opened by the marker of its language (markers already in it are dropped)."""
    return f"{_MARK}{normalise(language) or DEFAULT}{_MARK}{text.replace(_MARK, ' ')}"


def count(text: str) -> int:
    """How many versions a field's value holds (text without a marker is one)."""
    markers = len(_MARKER.findall(text))
    return markers or (1 if text.strip() else 0)


def unmark(text: str) -> str:
    """Text without its language markers."""
    return _MARKER.sub(" ", text).strip()


@cache
def analyzer(language: str) -> Analyzer:
    """The analyser of one language: English's own, a Snowball chain, or plain folding."""
    language = normalise(language)
    if language == "en":
        return ENGLISH
    if language not in SNOWBALL:
        return PLAIN
    try:
        stops = frozenset(w.translate(accent_map) for w in stopwords_for_language(language))
    except NoStopWords:  # Romanian: a stemmer without a stop list
        stops = frozenset()
    chain = (
        RegexTokenizer()
        | AcronymFilter()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopUnlessAcronym(stoplist=stops)
    )
    return chain | StemFilter(lang=language) if has_stemmer(language) else chain  # tr: none


@lru_cache(maxsize=100_000)
def _analysed(text: str, language: str) -> tuple[str, ...]:
    return tuple(token.text for token in analyzer(language)(text))


PLAIN_READING = ""  # the "language" of words read as written: lower case, accents folded


def analyse(text: str, language: str = DEFAULT) -> list[str]:
    """The index terms of ``text`` read as ``language`` (folded, stemmed, stop words out);
    PLAIN_READING or a language without a stemmer reads the words as written."""
    return list(_analysed(text, normalise(language)))


def segments(text: str) -> Iterator[tuple[str, str, int]]:
    """(language, text, offset) of each version in a field's value; unmarked text is DEFAULT's."""
    at, language = 0, DEFAULT
    for match in _MARKER.finditer(text):
        if match.start() > at:
            yield language, text[at : match.start()], at
        language, at = match.group(1), match.end()
    if at < len(text):
        yield language, text[at:], at


class MultilingualAnalyzer(Analyzer):
    """Analyses each marked version of a field's value with its own language's analyser.

    Positions continue across versions with a gap (VERSION_GAP), character offsets are those of
    the whole value, and text without a marker is read as DEFAULT (English).
    """

    def __eq__(self, other):
        return isinstance(other, MultilingualAnalyzer)

    def __hash__(self):
        return hash(MultilingualAnalyzer)

    def __call__(self, value, positions=False, chars=False, start_pos=0, start_char=0, **kwargs):
        pos = start_pos
        for language, text, offset in segments(value):
            last = None
            for token in analyzer(language)(
                text,
                positions=positions,
                chars=chars,
                start_pos=pos,
                start_char=start_char + offset,
                **kwargs,
            ):
                if positions:
                    last = token.pos
                yield token
            if positions and last is not None:
                pos = last + VERSION_GAP


class TaggedWords(Analyzer):
    """The spelling field's analysis: each version's words as written, folded, and each again
    tagged with its language ("es:instalar"), so "did you mean" can offer one language's words."""

    def __eq__(self, other):
        return isinstance(other, TaggedWords)

    def __hash__(self):
        return hash(TaggedWords)

    def __call__(self, value, **kwargs):
        kwargs.pop("positions", None)
        kwargs.pop("chars", None)
        for language, text, _offset in segments(value):
            for token in SPELLING_ANALYZER(text, positions=False, chars=False, **kwargs):
                word = token.text
                yield token
                token.text = tagged(language, word)
                yield token


def tagged(language: str, word: str) -> str:
    return f"{normalise(language)}:{word}"


# -- a query's languages ----------------------------------------------------------------------


@cache
def _frequencies() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every DETECTABLE language's folded words as (hash, language index, Zipf frequency in
    hundredths), sorted by hash (read once).

    wordfreq's "small" lists (words at least once per million: Zipf 3) come as buckets of one
    centibel each, the most frequent first. A million words of 24 languages as Python strings
    took 200 MB; as hashes (equal strings hash alike within a process) they take 13 MB. The
    lists are read past wordfreq's own cache, which would keep them all.
    """
    from wordfreq import get_frequency_list  # its data ships in the package: no network

    read = getattr(get_frequency_list, "__wrapped__", get_frequency_list)
    keys, owners, values = [], [], []
    for index, language in enumerate(DETECTABLE):
        known: dict[int, int] = {}
        for centibels, words in enumerate(read(_WORDFREQ_CODE.get(language, language), "small")):
            value = 900 - centibels  # Zipf 9 is a frequency of 1
            for word in words:
                known.setdefault(hash(word.translate(accent_map)), value)
        keys.append(np.fromiter(known, dtype=np.int64, count=len(known)))
        values.append(np.fromiter(known.values(), dtype=np.int16, count=len(known)))
        owners.append(np.full(len(known), index, dtype=np.int8))
    key = np.concatenate(keys)
    order = np.argsort(key, kind="stable")
    return key[order], np.concatenate(owners)[order], np.concatenate(values)[order]


def _scores(words: list[str]) -> dict[str, int]:
    """Per language, the summed Zipf frequencies (hundredths) of ``words`` it knows."""
    keys, owners, values = _frequencies()
    wanted = np.array([hash(word) for word in words], dtype=np.int64)
    starts = np.searchsorted(keys, wanted, side="left").tolist()
    stops = np.searchsorted(keys, wanted, side="right").tolist()
    scores: dict[str, int] = {}
    for start, stop in zip(starts, stops, strict=True):
        for at in range(start, stop):
            language = DETECTABLE[owners[at]]
            scores[language] = scores.get(language, 0) + int(values[at])
    return scores


def load() -> None:
    """Read the word lists detection uses now (about a second) rather than in a first search."""
    _frequencies()


def zipf(word: str, language: str) -> float:
    """How common ``word`` (folded) is in ``language``, on the Zipf scale (0 when unknown)."""
    return _scores([word]).get(normalise(language), 0) / 100


@lru_cache(maxsize=20_000)
def detect(text: str, among: frozenset[str] | None = None) -> tuple[str, ...]:
    """The languages ``text`` is likeliest written in, likeliest first, of ``among`` (every
    DETECTABLE one by default); none when no word of it is known to wordfreq's lists.

    Search asks among the interface languages and those of the catalogue's versions: a
    language no entry is written in would only read its words ("opne" is Norwegian).
    """
    words = _WORD.findall(text.lower().translate(accent_map))
    if not words:
        return ()
    scores = _scores(words)
    if among is not None:
        scores = {lang: score for lang, score in scores.items() if lang in among}
    if not scores:
        return ()
    best = max(scores.values())
    if not best:
        return ()
    ranked = sorted(scores, key=lambda language: (-scores[language], language))
    return tuple(lang for lang in ranked if scores[lang] >= DETECT_SHARE * best)[:MAX_DETECTED]


def query_languages(
    text: str, interface: str = DEFAULT, among: frozenset[str] | None = None
) -> tuple[str, ...]:
    """The languages a query is analysed in: the detected ones (of ``among``), then the
    interface language, then English, the reading of text without a marker (city names)."""
    return _unique((*detect(text, among), normalise(interface) or DEFAULT, DEFAULT))


def spelling_languages(
    text: str, interface: str = DEFAULT, among: frozenset[str] | None = None
) -> tuple[str, ...]:
    """The languages whose words "did you mean" may offer for ``text``: those it is detected
    in (of ``among``) and the interface language."""
    return _unique((*detect(text, among), normalise(interface) or DEFAULT))


def _unique(languages: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(language for language in languages if language))
