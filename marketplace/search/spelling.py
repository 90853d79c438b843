"""'Did you mean ...?': misspelled words replaced by the closest word the index knows as written.

Only words of the question's languages are offered: the languages it is detected to be in
and the interface language (languages.spelling_languages). The spelling field holds each
version's words twice, as written and tagged with the version's language ("es:instalar"), and the
body-word list is kept per language, so the candidates for a Spanish question are the words of
Spanish versions: "instlar" may become "instalar", never "install". A common word of any of the
question's languages (or of the six interface languages) is never corrected at all.

Known words are those of titles and summaries (the index's "spell" field, kept current by every
drain) and the body-text words (description, impact, lessons) that at least two entries use: a
list written beside the index at each rebuild. A body word only one entry uses may be a typo, and
indexing every body word in the spell field doubled rebuild time.

Only words a live (published, not deleted) document holds are ever offered. Whoosh keeps the terms
of deleted documents in their segment until it is merged, and the body-word list is as old as the
last rebuild, so every word is checked against the documents not deleted: a title or summary word
by its own postings, a body word by the postings of its index term (its stem).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.support.charset import accent_map

from . import languages
from .query import analyse
from .schema import SPELLING_ANALYZER, TEXT_FIELDS

SPELLING_MIN_LENGTH = 4
# Bounds on a long question's spelling work (each unknown word costs a scan of the known words
# near it): the first MAX_CHECKED_WORDS distinct words of SPELLING_MIN_LENGTH letters or more
# are checked, and at most MAX_CORRECTIONS of them corrected; later words are left as typed.
MAX_CHECKED_WORDS = 16
MAX_CORRECTIONS = 3
MAX_DISTANCE = 2  # edits (insert, delete, replace, swap two neighbours) from typed to offered
MAX_REMEMBERED = 20_000  # corrections kept per index generation
BODY_WORDS_FILE = "spelling-words.json"
BODY_MIN_ENTRIES = 2
# A correction that stems like the typed word finds the same entries: it is offered only to fix a
# slip inside the word (retrofiting -> retrofitting), recognised by the same last letters.
# A different ending is another form of the word (retrain -> retrains) and is left alone.
SAME_ENDING = 3

# A word at least this common (Zipf scale, wordfreq: 3 is once per million words) in one of these
# languages is a real word: never "corrected" into a catalogue word it is not (rush -> runs).
REAL_WORD_ZIPF = 3.0
REAL_WORD_LANGUAGES = ("en", "fr", "de", "es", "it", "pt")

_WORD = re.compile(r"\w+")


@cache
def real_words() -> frozenset[str]:
    """The common words of REAL_WORD_LANGUAGES, as the spelling analyser writes them (read once)."""
    from wordfreq import get_frequency_dict  # its data ships in the package: no network

    least = 10 ** (REAL_WORD_ZIPF - 9)  # Zipf is log10 of frequency per billion words
    found: set[str] = set()
    for language in REAL_WORD_LANGUAGES:
        frequencies = get_frequency_dict(language, wordlist="small")
        found.update(word.translate(accent_map) for word, f in frequencies.items() if f >= least)
    return frozenset(found)


def words(text: str) -> set[str]:
    """The words of ``text`` as the spelling analyser writes them (lower case, accents folded)."""
    found = set(_WORD.findall(text.lower().translate(accent_map)))
    return {word for word in found if len(word) >= SPELLING_MIN_LENGTH and word.isalpha()}


class BodyWords:
    """Counts, during a rebuild, how many entries use each body-text word, per language."""

    def __init__(self) -> None:
        self.entries: Counter[tuple[str, str]] = Counter()

    def add(self, *texts: str | None) -> None:
        """One entry's body texts (each version marked with its language: languages.mark)."""
        used: set[tuple[str, str]] = set()
        for text in texts:
            for language, part, _ in languages.segments(text or ""):
                used.update((language, word) for word in words(part))
        self.entries.update(used)

    def write(self, directory: Path) -> None:
        known: dict[str, dict[str, int]] = {}
        for (language, word), n in self.entries.items():
            if n >= BODY_MIN_ENTRIES:
                known.setdefault(language, {})[word] = n
        payload = json.dumps(known, ensure_ascii=False, sort_keys=True)
        (directory / BODY_WORDS_FILE).write_text(payload, encoding="utf-8")


def distance(a: str, b: str) -> int:
    """Edits from ``a`` to ``b``, a swap of two neighbouring letters counting as one."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, letter in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (letter != other))
            if i > 1 and j > 1 and letter == b[j - 2] and a[i - 2] == other:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


class Speller:
    """Corrections on one index generation, remembered per word."""

    def __init__(self, searcher: Searcher, directory: Path) -> None:
        self.searcher = searcher
        self.directory = directory
        self._body: dict[str, dict[str, int]] | None = None  # language -> word -> entries
        self._by_letter: dict[tuple[str, str], list[str]] = {}
        self._remembered: dict[tuple[str, tuple[str, ...]], str | None] = {}

    def _body_words(self) -> dict[str, dict[str, int]]:
        if self._body is None:
            try:
                raw = (self.directory / BODY_WORDS_FILE).read_text(encoding="utf-8")
            except FileNotFoundError:  # an index built before the list existed
                raw = "{}"
            by_letter = defaultdict(list)
            body = json.loads(raw)
            for language, known in body.items():
                for word in known:
                    by_letter[language, word[0]].append(word)
            self._by_letter = dict(by_letter)
            self._body = body
        return self._body

    def is_known(self, word: str) -> bool:
        """Whether a live document holds ``word`` as written (in a title, summary or body), in
        any language."""
        reader = self.searcher.reader()
        return _held_live(reader, "spell", word) or any(
            word in known and _known_stem(reader, analyse(word, language))
            for language, known in self._body_words().items()
        )

    def _candidates(self, word: str, langs: tuple[str, ...]) -> dict[str, tuple[str, int]]:
        """Words of ``langs`` within MAX_DISTANCE of ``word`` with its first letter: their
        language and entries."""
        reader = self.searcher.reader()
        found: dict[str, tuple[str, int]] = {}
        body = self._body_words()
        for language in langs:
            tag = languages.tagged(language, "")
            for candidate in reader.terms_within(
                "spell", tag + word, MAX_DISTANCE, prefix=len(tag) + 1
            ):
                plain = candidate[len(tag) :]
                entries = reader.doc_frequency("spell", candidate)
                found[plain] = (language, found.get(plain, (language, 0))[1] + entries)
            known = body.get(language, {})
            for candidate in self._by_letter.get((language, word[0]), ()):
                if abs(len(candidate) - len(word)) <= MAX_DISTANCE:
                    entries = found.get(candidate, (language, 0))[1] + known[candidate]
                    found[candidate] = (language, entries)
        return found

    def closest(self, word: str, langs: tuple[str, ...] = (languages.DEFAULT,)) -> str | None:
        """The known word of ``langs`` to offer for ``word``, or None."""
        key = (word, langs)
        if key not in self._remembered:
            if len(self._remembered) >= MAX_REMEMBERED:
                self._remembered.clear()
            self._remembered[key] = self._closest(word, langs)
        return self._remembered[key]

    def _closest(self, word: str, langs: tuple[str, ...]) -> str | None:
        candidates = self._candidates(word, langs)
        ranked = sorted(
            (distance(word, candidate), -entries, candidate)
            for candidate, (_, entries) in candidates.items()
            if candidate != word
        )
        # Stop words ("on" for "opne") are never searched for, so never worth offering; words
        # only deleted documents hold (archived entries) are never shown.
        offer = next(
            (
                c
                for d, _, c in ranked
                if d <= MAX_DISTANCE and analyse(c, candidates[c][0]) and self.is_known(c)
            ),
            None,
        )
        if offer is None:
            return None
        language = candidates[offer][0]
        reader = self.searcher.reader()
        typed, offered = analyse(word, language), analyse(offer, language)
        if typed == offered:
            return offer if offer[-SAME_ENDING:] == word[-SAME_ENDING:] else None
        # A word that finds entries is taken as meant, unless it stems like its correction.
        return None if _known_stem(reader, typed) else offer

    def correction(self, text: str, langs: tuple[str, ...] = (languages.DEFAULT,)) -> str | None:
        """The typed text with misspelled words replaced by the closest known word, or None.

        A word is misspelled when no title or summary, and no two entries' body text, hold it as
        written, and it is not a common word of English, French, German, Spanish, Italian or
        Portuguese, nor of one of ``langs`` (a word the catalogue lacks is not a typo: "rush" is
        not "runs"). Its closest known word of the question's languages is offered when the
        word finds nothing at all, or when both stem alike and
        differ only inside the word ("retrofiting" finds "retrofit" entries, yet "retrofitting"
        is what was meant). Other forms of a word that finds entries
        ("retrain" next to "retrains" or "retraining") are left alone.
        """
        offered_in = langs
        pieces = []
        at = 0
        offers: dict[str, str | None] = {}  # each distinct word checked once, in typed order
        corrections = 0
        for token in SPELLING_ANALYZER(text, positions=False, chars=True):
            word = token.text
            if word not in offers:
                if len(word) < SPELLING_MIN_LENGTH or not word.isalpha():
                    continue
                if len(offers) >= MAX_CHECKED_WORDS:
                    continue  # a long question's later words are left as typed
                offer = None
                if (
                    corrections < MAX_CORRECTIONS
                    and not self.is_known(word)
                    and not is_real_word(word, langs)
                ):
                    offer = self.closest(word, offered_in)
                    corrections += offer is not None
                offers[word] = offer
            if offers[word]:  # every occurrence of a corrected word
                pieces += [text[at : token.startchar], offers[word]]
                at = token.endchar
        return "".join([*pieces, text[at:]]) if pieces else None


def is_real_word(word: str, langs: tuple[str, ...] = ()) -> bool:
    """Whether ``word`` (folded) is a common word of the six interface languages or ``langs``."""
    return word in real_words() or any(
        languages.zipf(word, language) >= REAL_WORD_ZIPF for language in langs
    )


def _held_live(reader: IndexReader, field: str, term: str) -> bool:
    """Whether a document not deleted holds ``term`` in ``field``."""
    if not reader.doc_frequency(field, term):  # counts deleted documents too: a quick "no"
        return False
    # Postings skip deleted documents: one live posting is enough.
    return not reader.has_deletions() or reader.postings(field, term).is_active()


def _known_stem(reader: IndexReader, terms: list[str]) -> bool:
    """Whether live documents hold every one of the index ``terms`` in some text field."""
    return bool(terms) and all(
        any(_held_live(reader, name, term) for name in TEXT_FIELDS) for term in terms
    )
