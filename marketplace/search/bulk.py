"""Writing a whole index at once (a rebuild): Whoosh's writer without its external sort.

Whoosh's segment writer sends every posting through an external merge sort (each posting a
pickled tuple, spilled to disk past a memory limit, merged back with a heap) and, writing the
sorted postings, reads each one's field length back from the column it has just written. Both
were half of a rebuild's time. Here each worker process keeps its postings in flat arrays (a
term number, the document, the weight and the encoded value per posting), in the order the
documents arrive, so sorting them is sorting the terms, once per field; field lengths are kept
as Whoosh writes them (one byte each: the same rounding). The segments written are Whoosh's own.
Entries are spread over several processes by Whoosh's multiprocessing writer, one segment each,
not merged (the engine reads every segment).
"""

from __future__ import annotations

from array import array

import numpy as np
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter


class _FieldPostings:
    """One field's postings, in the order they were added (documents in increasing order)."""

    def __init__(self) -> None:
        self.term_numbers: dict[bytes, int] = {}
        self.terms = array("i")
        self.docnums = array("i")
        self.weights = array("d")
        self.values = bytearray()
        self.ends = array("q")  # where each posting's value ends in ``values``

    def add(self, term: bytes, docnum: int, weight: float, value: bytes | None) -> None:
        number = self.term_numbers.get(term)
        if number is None:
            number = self.term_numbers[term] = len(self.term_numbers)
        self.terms.append(number)
        self.docnums.append(docnum)
        self.weights.append(weight)
        if value:
            self.values += value
        self.ends.append(len(self.values))

    def sorted_terms(self):
        """(term, [(docnum, weight, value), ...]) in term order, each term's documents in order."""
        words = sorted(self.term_numbers)
        rank = np.empty(len(words), dtype=np.int64)
        rank[[self.term_numbers[word] for word in words]] = np.arange(len(words))
        ranks = rank[np.frombuffer(self.terms, dtype=np.int32)]
        order = np.argsort(ranks, kind="stable")  # stable: documents stay in order
        bounds = np.searchsorted(ranks[order], np.arange(len(words) + 1)).tolist()
        ends = np.frombuffer(self.ends, dtype=np.int64)
        starts = np.concatenate(([0], ends[:-1]))
        docnums = np.frombuffer(self.docnums, dtype=np.int32)[order].tolist()
        weights = np.frombuffer(self.weights, dtype=np.float64)[order].tolist()
        starts, ends = starts[order].tolist(), ends[order].tolist()
        values = bytes(self.values)
        for i, word in enumerate(words):
            span = range(bounds[i], bounds[i + 1])
            yield word, [(docnums[k], weights[k], values[starts[k] : ends[k]]) for k in span]


class _MemoryPool:
    """Takes the place of Whoosh's PostingPool in a BulkSegmentWriter (same add interface)."""

    def __init__(self) -> None:
        self.fields: dict[str, _FieldPostings] = {}
        self.fieldnames: set[str] = set()

    def add(self, item: tuple) -> None:
        fieldname, term, docnum, weight, value = item
        postings = self.fields.get(fieldname)
        if postings is None:
            postings = self.fields[fieldname] = _FieldPostings()
            self.fieldnames.add(fieldname)
        postings.add(term, docnum, weight, value)

    def cleanup(self) -> None:
        self.fields = {}


class BulkSegmentWriter(SegmentWriter):
    """A SegmentWriter for a new segment written in one go (see the module's docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pool = _MemoryPool()
        self._lengths: dict[str, dict[int, int | None]] = {}
        add_field = self.perdocwriter.add_field

        def add_field_and_length(fieldname, fieldobj, value, length):
            if fieldobj.scorable:
                # What the segment's length column gives back: one byte, 0 read as None.
                byte = length_to_byte(length)
                lengths = self._lengths.setdefault(fieldname, {})
                lengths[self.docnum] = byte_to_length(byte) if byte else None
            add_field(fieldname, fieldobj, value, length)

        self.perdocwriter.add_field = add_field_and_length

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        writer = self.fieldwriter
        for fieldname in sorted(self.pool.fields):
            fieldobj = self.schema[fieldname]
            lengths = self._lengths.get(fieldname, {})
            writer.start_field(fieldname, fieldobj)
            for term, postings in self.pool.fields[fieldname].sorted_terms():
                writer.start_term(term)
                for docnum, weight, value in postings:
                    writer.add(docnum, weight, value, lengths.get(docnum, 0))
                writer.finish_term()
            writer.finish_field()
        writer.close()


class _BulkTask(SubWriterTask):
    """Whoosh's worker process of the multiprocessing writer, writing with BulkSegmentWriter."""

    def run(self) -> None:
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = BulkSegmentWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            job = self.jobqueue.get()
            if job is None:
                break
            self._process_file(*job)
        if not self.running:
            writer.cancel()
            return
        fieldnames = writer.pool.fieldnames
        self.resultqueue.put((None, fieldnames, writer._finalize_segment()), timeout=5)


class BulkWriter(MpWriter):
    """Whoosh's multiprocessing writer, one segment per process, not merged, and written by
    BulkSegmentWriter: for a new, empty index only."""

    def __init__(self, ix, procs: int, batchsize: int = 100) -> None:
        super().__init__(ix, procs=procs, batchsize=batchsize, multisegment=True)

    def _new_task(self):
        task = _BulkTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task
