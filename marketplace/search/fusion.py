"""The second ranking stage: the lexical order fused with closeness in meaning and with concepts.

What a search returns (its total, and every facet count) is, within the active filters:
- the entries holding the question's words (the lexical match set),
- the entries closest to the question in meaning: at most SEARCH_MEANING_NEIGHBOURS of the whole
  catalogue, each at least the encoder's ``similar_above`` close (a cut-off, or nearly every
  question would list every entry), and
- the entries filed under a track, challenge or service the question names (concepts.py: "take
  part" names New democratic engagement tools).
The neighbours are chosen over the whole catalogue, not within the filters, so a facet count is
still exactly what ticking it returns. Quoted phrases (and excluded phrases) ask for exact words:
such a question is ranked with meaning but gets neither neighbours nor concepts; excluded words
are excluded from both.

The order is reciprocal rank fusion (RRF, k=60, untuned) of the lexical ranking, the ranking by
similarity of the results above the same cut-off (weaker similarities only added noise on the
judged problems: bench/problems_bench.py) and the ranking of the entries filed under the named
concepts, over the first WINDOW of each; what comes after keeps the lexical order. Entries with no
vector yet take part through their other ranks alone. With neither an encoder nor a concept named,
the order is the lexical one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from flask import current_app

from . import concepts, fast, hit_ids, meaning
from .query import ParsedQuery, clean

log = logging.getLogger(__name__)

RRF_K = 60
WINDOW = 100  # ranks of each list that are fused
_EXCLUSION = re.compile(r'(?<!\S)-"[^"]*"?|(?<!\S)-\S+')


@dataclass
class Hit:
    id: int
    score: float | None
    # Why it was found: the question's words, closeness in meaning, or both.
    by_words: bool = True
    by_meaning: bool = False


Ranker = Callable[[int, str, int, int], list[Hit]]


@dataclass
class Meaning:
    """A question's similarity to every document of a generation, and its neighbours."""

    similarity: np.ndarray  # per document number; -inf without a vector
    neighbours: np.ndarray  # document numbers, most similar first
    cut_off: float

    def widen(self, match: int) -> int:
        return match | fast.to_bits(_mask(self.neighbours, len(self.similarity)))

    def closest(self, results: int, count: int = WINDOW) -> np.ndarray:
        """The ``count`` results closest above the cut-off, most similar first."""
        candidates = np.flatnonzero(fast.to_array(results, len(self.similarity)))
        close = candidates[self.similarity[candidates] >= self.cut_off]
        return top(close, self.similarity, count)


@dataclass
class Stage:
    """What the second stage makes of a search: its match set, its ranking, the concepts named."""

    match: int
    rank: Ranker
    concepts: list = field(default_factory=list)
    vocabulary: tuple | None = None  # concepts.stamp() as checked here, when it was


def second_stage(
    generation,
    parsed: ParsedQuery,
    text: str,
    match: int,
    lexical: Ranker,
    pending: Question | None,
) -> Stage:
    """Widen the lexical match set and fuse the rankings (unchanged without meaning or concepts).

    Entries filed under a concept the question names (concepts.py) join the results like the
    neighbours by meaning, and their own ranking is a third list in the fusion.
    """
    if parsed.is_empty:
        return Stage(match, lexical)
    # Phrases and excluded phrases ask for exact words: no neighbours or concepts that lack them.
    exact = bool(parsed.phrases) or any(len(terms) > 1 for terms in parsed.excluded)
    banned = None  # documents holding an excluded word
    if parsed.excluded and not exact:
        banned = generation.vectors.any_of(terms[0] for terms in parsed.excluded)
    meant = meaning_of(generation, pending, banned, exact)
    use_concepts = current_app.config.get("SEARCH_CONCEPTS", True) and not exact
    named, vocabulary = [], None
    if use_concepts:
        vocabulary, matcher = concepts.checked()
        named = matcher.match(question(text), parsed.languages)
    filed = 0
    for concept, _phrase in named:
        filed |= generation.facets.get(concept.facet, {}).get(concept.value, 0)
    if banned is not None:
        filed &= ~fast.to_bits(banned)
    if meant is None and not filed:
        return Stage(match, lexical, named, vocabulary)
    if meant is not None:
        match = meant.widen(match)
    match |= filed
    return Stage(match, _fused(lexical, generation.vectors, meant, filed), named, vocabulary)


def _fused(lexical: Ranker, vectors: fast.Vectors, meant: Meaning | None, filed: int):
    """``lexical`` fused with similarity and concepts for relevance; other sorts left to it."""

    def ids(docnums) -> list[int]:
        return hit_ids.entry_ids(vectors, docnums)

    def rank(results: int, sort: str, offset: int, count: int) -> list[Hit]:
        if sort != "relevance":
            return lexical(results, sort, offset, count)
        words = [hit.id for hit in lexical(results, sort, 0, WINDOW) if hit.score]
        meant_ids = ids(meant.closest(results)) if meant is not None else []
        about: list[int] = []
        if filed & results:  # ordered by meaning where there is one, else by words
            if meant is not None:
                about = ids(meant.closest(filed & results))
            if not about:
                about = [hit.id for hit in lexical(filed & results, sort, 0, WINDOW)]
        fused: dict[int, float] = {}
        for ranking in (words, meant_ids, about):
            for place, entry in enumerate(ranking, start=1):
                fused[entry] = fused.get(entry, 0.0) + 1 / (RRF_K + place)
        word_rank = {entry: place for place, entry in enumerate(words)}
        order = sorted(fused, key=lambda e: (-fused[e], word_rank.get(e, WINDOW)))
        by_meaning = set(meant_ids)
        hits = [Hit(e, fused[e], e in word_rank, e in by_meaning) for e in order]
        if offset + count > len(hits):  # past the fused window: the lexical order goes on
            shown = set(order)
            more = lexical(results, sort, 0, offset + count + len(hits))
            hits += [hit for hit in more if hit.id not in shown]
        return hits[offset : offset + count]

    return rank


def top(docnums: np.ndarray, key: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` documents of ``docnums`` with the highest ``key``, ties by document number.

    A partial selection first: at 100,000 entries most of them may pass a cut-off.
    """
    if docnums.size > count > 0:
        values = key[docnums]
        cut = np.argpartition(-values, count - 1)[:count]
        docnums = docnums[values >= values[cut].min()]  # ties with the last one stay
    return docnums[np.lexsort((docnums, -key[docnums]))][:count]


def _mask(docnums: np.ndarray, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    mask[docnums] = True
    return mask


def question(text: str) -> str:
    """What the encoder reads of a question: the text without its exclusions and quote marks."""
    return " ".join(_EXCLUSION.sub(" ", clean(text)).replace('"', " ").split())


@dataclass
class Question:
    """A question being embedded in another thread while the lexical stage runs."""

    model: meaning.Encoder
    vector: Future


_embedding = ThreadPoolExecutor(max_workers=2, thread_name_prefix="question")


def start(generation, parsed: ParsedQuery, text: str) -> Question | None:
    """Start embedding the question; None without an encoder, vectors or words.

    The encoder's C engine releases the GIL, so a request's embedding and its lexical stage run at
    once: the wait is the longer of the two, not their sum (the CPU is the same).
    """
    model = meaning.encoder()
    if model is None or parsed.is_empty:
        return None
    if not generation.meaning(model).with_vector.size:
        return None
    wanted = question(text)
    if not wanted:
        return None
    return Question(model, _embedding.submit(meaning.query_vector, model, wanted))


def meaning_of(
    generation, pending: Question | None, banned: np.ndarray | None, exact: bool = False
) -> Meaning | None:
    """The question's meaning over ``generation`` (None when ``start`` gave nothing).

    Neighbours leave out the ``banned`` documents (those holding an excluded word), and there
    are none for an ``exact`` question.
    """
    if pending is None:
        return None
    model = pending.model
    documents = generation.meaning(model)
    try:
        vector = pending.vector.result()
    except Exception:  # the engine failed on this text: the words still rank it
        log.exception("embedding a question failed; ranked by words")
        return None
    similarity = documents.similarities(vector, generation.vectors.size)
    config = current_app.config
    cut_off = config.get("SEARCH_MEANING_MIN_SIMILARITY")
    cut_off = float(model.similar_above if cut_off is None else cut_off)
    neighbours = np.empty(0, dtype=np.int64)
    if not exact:
        found = documents.with_vector[similarity[documents.with_vector] >= cut_off]
        neighbours = top(found, similarity, int(config.get("SEARCH_MEANING_NEIGHBOURS", 20)))
        if banned is not None:
            neighbours = neighbours[~banned[neighbours]]
    return Meaning(similarity, neighbours, cut_off)
