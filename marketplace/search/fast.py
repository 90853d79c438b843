"""Vectorised ranking over one index generation: the hot path of every search.

Whoosh's own collectors walk Python matchers document by document. Here the postings of each
query term (document numbers and term weights), the field lengths and the sort columns are read
once per segment into numpy arrays (segments.py), put side by side per index generation, and
BM25F scores, the match set and the top hits are
computed with array operations. Match sets equal Whoosh's public search API (a test keeps that
true across many queries); the scores are BM25F proper (field frequencies combined before
saturation, which Whoosh's scorer does not do), checked against a reference computed from the
entries' texts.

segments.py reads the pinned whoosh-reloaded 2.7.5's segment internals (leaf matchers' blocks,
length and sort columns); with this module, it is where an upgrade is checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from whoosh.searching import Searcher

from . import segments
from .schema import TEXT_FIELDS, VERSION_BITS, VERSIONED_FIELDS

# BM25 saturation and length normalisation (Whoosh's and the usual defaults).
K1 = 1.2
B = 0.75
# Beyond any position in a field: document * STRIDE + position is one key per occurrence.
STRIDE = 1 << 32


def to_array(bits: int, size: int) -> np.ndarray:
    """A Python int bitset as a boolean array of ``size`` documents."""
    raw = bits.to_bytes((size + 7) // 8, "little")
    return np.unpackbits(np.frombuffer(raw, dtype=np.uint8), bitorder="little")[:size].astype(bool)


def to_bits(mask: np.ndarray) -> int:
    """A boolean array of documents as a Python int bitset."""
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")


class Vectors:
    """Arrays of one searcher generation: its segments' arrays (segments.py) put side by side.

    Postings, lengths and columns are read once per segment and shared with other generations;
    what is computed here, per generation and lazily, is only what spans segments (the
    deleted-documents mask, the lengths side by side, sort ranks).
    """

    def __init__(self, searcher: Searcher, directory: str) -> None:
        self.searcher = searcher
        self.size = searcher.reader().doc_count_all()
        # Each segment's arrays, its reader and its first document number in this generation.
        self.leaves = [
            (segments.segment(directory, reader), reader, offset)
            for reader, offset in searcher.reader().leaf_readers()
            if reader.doc_count_all()  # an empty index has one reader and no segment
        ]
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {}
        self._average: dict[str, float] = {}
        self._per_version: dict[str, tuple[np.ndarray, float]] = {}
        self._live: np.ndarray | None = None

    def segment_keys(self) -> list[segments.Key]:
        """The segments this generation reads."""
        return [segment.key for segment, _, _ in self.leaves]

    # -- reading the generation ---------------------------------------------------------------

    def _side_by_side(self, part) -> np.ndarray:
        """One array over the generation from one array per segment, ``part(segment, reader)``."""
        parts = [part(segment, reader) for segment, reader, _ in self.leaves]
        if len(parts) == 1:
            return parts[0]
        return np.concatenate(parts) if parts else np.zeros(0)

    def field_lengths(self, field: str) -> np.ndarray:
        if field not in self._lengths:
            found = self._side_by_side(lambda segment, reader: segment.lengths(reader, field))
            self._lengths[field] = found if found.size else np.zeros(self.size)
        return self._lengths[field]

    def version_lengths(self, field: str) -> tuple[np.ndarray, float]:
        """A field's length per version in each document, and its average as BM25F reads it.

        An entry in three languages holds three versions in each text field: divided by the
        versions, its length is that of one version, so translating an entry does not push it
        down. The average is Whoosh's scaled by the same division over the live documents:
        with one version each (an English catalogue), exactly Whoosh's.
        """
        if field not in self._per_version:
            lengths = self.field_lengths(field)
            average = self.average_length(field)
            if field in VERSIONED_FIELDS:
                counts = self._version_counts(VERSIONED_FIELDS.index(field))
                per_version = lengths / counts
                live = self.live_mask()
                total = lengths[live].sum()
                if total:
                    average = average * (per_version[live].sum() / total)
                lengths = per_version
            self._per_version[field] = (lengths, average)
        return self._per_version[field]

    def _version_counts(self, index: int) -> np.ndarray:
        """Each document's number of versions in VERSIONED_FIELDS[index] (at least 1)."""
        if "version_counts" not in self._columns:
            packed = np.ones(self.size, dtype=np.int64)  # an index of an older release: 1
            if "version_counts" in self.searcher.schema and self.leaves:
                packed = self._side_by_side(
                    lambda segment, reader: segment.column(reader, "version_counts")
                ).astype(np.int64)
            self._columns["version_counts"] = packed
        mask = (1 << VERSION_BITS) - 1
        counts = (self._columns["version_counts"] >> (VERSION_BITS * index)) & mask
        return np.maximum(counts, 1).astype(np.float64)

    def average_length(self, field: str) -> float:
        """The field's average length, as Whoosh's BM25F scorer reads it."""
        if field not in self._average:
            self._average[field] = self.searcher.avg_field_length(field) or 1
        return self._average[field]

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers and weights of ``term`` in ``field`` (deleted documents included)."""
        parts = [
            (segment.postings(reader, field, term), offset)
            for segment, reader, offset in self.leaves
        ]
        parts = [(found, offset) for found, offset in parts if found[0].size]
        if len(parts) == 1 and not parts[0][1]:
            return parts[0][0]  # the segment's own arrays: never written to
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        ids = np.concatenate([found[0] + offset for found, offset in parts])
        weights = np.concatenate([found[1] for found, _ in parts])
        return ids, weights

    def positions(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(document number, position) of each occurrence of ``term`` in ``field``, ordered by
        document then position (deleted documents included)."""
        parts = [
            (segment.positions(reader, field, term), offset)
            for segment, reader, offset in self.leaves
        ]
        parts = [(found, offset) for found, offset in parts if found[0].size]
        if len(parts) == 1 and not parts[0][1]:
            return parts[0][0]
        if not parts:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
        return (
            np.concatenate([found[0] + offset for found, offset in parts]),
            np.concatenate([found[1] for found, _ in parts]),
        )

    def phrase(self, terms: list[str]) -> np.ndarray:
        """Documents holding ``terms`` one after the other in one text field, as Whoosh's
        Phrase query (slop 1) over every text field matches them.

        Each term's occurrences become keys ``document * STRIDE + position - i`` (i: its place
        in the phrase); a phrase starts wherever every term has the same key. The documents
        holding every term are found first from the cached postings, so only their
        occurrences are compared.
        """
        matched = np.zeros(self.size, dtype=bool)
        for field in TEXT_FIELDS:
            holding = None
            for term in terms:  # document numbers of postings: unique, ascending
                docs = self.postings(field, term)[0]
                holding = docs if holding is None else np.intersect1d(holding, docs, True)
                if not holding.size:
                    break
            if holding is None or not holding.size:
                continue
            starts = None
            for i, term in enumerate(terms):
                docs, places = self.positions(field, term)
                kept = np.isin(docs, holding)
                # One key per occurrence: unique already (a document, a position).
                keys = docs[kept].astype(np.int64) * STRIDE + places[kept] - i
                starts = keys if starts is None else np.intersect1d(starts, keys, True)
                if not starts.size:
                    break
            matched[starts // STRIDE] = True
        return matched

    def sort_ranks(self, field: str) -> np.ndarray:
        """Each document's rank in ascending order of a sortable field (ties by docnum)."""
        if field not in self._columns:
            values = self._side_by_side(lambda segment, reader: segment.column(reader, field))
            ranks = np.empty(self.size, dtype=np.int64)
            ranks[np.argsort(values, kind="stable")] = np.arange(self.size)
            self._columns[field] = ranks
        return self._columns[field]

    # -- ranking -----------------------------------------------------------------------------

    def live_mask(self) -> np.ndarray:
        """Documents not deleted, as a boolean array."""
        if self._live is None:
            live = np.ones(self.size, dtype=bool)
            for _, reader, offset in self.leaves:
                deleted = reader.segment().deleted_docs()
                live[np.fromiter(deleted, dtype=np.int64) + offset] = False
            self._live = live
        return self._live

    def idf(self, holding: np.ndarray) -> float:
        """BM25's idf of a term the documents ``holding`` hold in some text field."""
        live = self.live_mask()
        n, documents = np.count_nonzero(live[holding]), np.count_nonzero(live)
        return float(np.log(1 + (documents - n + 0.5) / (n + 0.5)))

    def score(
        self,
        terms: Iterable[str | tuple[str, ...]] | Mapping[str | tuple[str, ...], float],
        fields: Iterable[str] = TEXT_FIELDS,
    ) -> tuple[np.ndarray, np.ndarray]:
        """BM25F scores summed over ``terms``, and the documents matched.

        BM25F proper: per term, a document's frequencies in ``fields`` (each times its field
        boost, as the index stores them) are normalised by field length (per version:
        ``version_lengths``) and added up, and the sum
        saturates once, so a word in six fields does not score six times. One idf per term,
        over the live documents holding it in any of ``fields``. With a mapping, each term's
        score is multiplied by its value (its query-term frequency weight).

        A tuple is one typed word with several analyses (query.Word): its terms count as one
        term, their frequencies added like the fields' before the one saturation, one idf over
        the documents holding any of them. A word whose analyses differ between languages so
        weighs what a word whose analyses agree weighs.
        """
        weights_by_term = terms if isinstance(terms, Mapping) else dict.fromkeys(terms, 1.0)
        fields = tuple(fields)
        scores = np.zeros(self.size, dtype=np.float64)
        matched = np.zeros(self.size, dtype=bool)
        combined = np.zeros(self.size, dtype=np.float64)
        for word, weight in weights_by_term.items():
            found = False
            for term in (word,) if isinstance(word, str) else word:
                for field in fields:
                    ids, weights = self.postings(field, term)
                    if not ids.size:
                        continue
                    lengths, average = self.version_lengths(field)
                    norm = (1 - B) + B * lengths[ids] / average
                    combined[ids] += weights / norm
                    found = True
            if not found:
                continue
            holding = np.flatnonzero(combined)
            tf = combined[holding]
            combined[holding] = 0
            scores[holding] += weight * self.idf(holding) * tf * (K1 + 1) / (K1 + tf)
            matched[holding] = True
        return scores, matched

    def field_scores(
        self, terms: Mapping[str, float], fields: Iterable[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Whoosh's own BM25F (each field's score saturated apart, then added), per term weighted.

        Equal to Whoosh's public search API over boosted terms: "similar entries" keeps its
        test against Whoosh on this (related.py).
        """
        fields = tuple(fields)
        scores = np.zeros(self.size, dtype=np.float64)
        matched = np.zeros(self.size, dtype=bool)
        for term, boost in terms.items():
            for field in fields:
                ids, weights = self.postings(field, term)
                if not ids.size:
                    continue
                idf = self.searcher.idf(field, term)  # Whoosh's, cached by the searcher
                lengths = self.field_lengths(field)[ids]
                norm = K1 * ((1 - B) + B * lengths / self.average_length(field))
                scores[ids] += boost * idf * (weights * (K1 + 1)) / (weights + norm)
                matched[ids] = True
        return scores, matched

    def any_of(self, terms: Iterable[str]) -> np.ndarray:
        """Documents holding at least one of ``terms`` in any text field."""
        matched = np.zeros(self.size, dtype=bool)
        for term in terms:
            for field in TEXT_FIELDS:
                matched[self.postings(field, term)[0]] = True
        return matched

    def top(self, candidates: np.ndarray, key: np.ndarray, count: int) -> np.ndarray:
        """The ``count`` candidate documents with the highest ``key``, ties by document number."""
        if count <= 0 or not candidates.size:
            return candidates[:0]
        values = key[candidates]
        if candidates.size > count:
            cut = np.argpartition(-values, count - 1)[:count]
            # Keep every candidate tied with the last one kept, so ties break by docnum.
            threshold = values[cut].min()
            keep = values >= threshold
            candidates, values = candidates[keep], values[keep]
        order = np.lexsort((candidates, -values))
        return candidates[order][:count]
