"""Segment files are read from the memory map: not copied into each process."""

import io
import tracemalloc

from whoosh import index as whoosh_index
from whoosh.query import Term

from marketplace import search
from marketplace.search import segments
from marketplace.search.index import current_dir
from marketplace.search.mapped import MappedFile

LONG = "Community energy cooperatives retrofit schools, libraries and sports halls. " * 40


def test_a_segment_s_files_are_read_from_the_map_not_copied(ctx, make_solution):
    for i in range(40):
        make_solution(description=f"{LONG} Entry {i}.")
    search.rebuild()
    searcher = segments.open_searcher(current_dir())  # installs the mapped reading
    assert len(searcher.search(Term("description", "energi"))) == 40
    ix = whoosh_index.open_dir(current_dir())
    storage = ix._segments()[0].open_compound_file(ix.storage)
    name = max(storage.list(), key=storage.file_length)  # the postings, as a rule
    tracemalloc.start()
    try:
        opened = storage.open_file(name)
        offset = storage.range(name)[0]
        assert opened.get(0, 4) == storage._source[offset : offset + 4]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    opened.close()
    storage.close()
    searcher.close()
    assert peak < storage.file_length(name) / 4, (peak, storage.file_length(name))


def test_a_mapped_file_reads_as_the_bytes_whoosh_copied_did():
    data = b"first line\nsecond\n\nno newline at the end" * 30
    mapped, copied = MappedFile(memoryview(data)), io.BytesIO(data)
    for op, arg in [("read", 5), ("readline", -1), ("readline", 3), ("read", -1), ("seek", 7),
                    ("readline", -1), ("read", 10_000), ("seek", 0), ("readline", -1)]:  # fmt: skip
        if op == "seek":
            mapped.seek(arg)
            copied.seek(arg)
        else:
            assert getattr(mapped.file, op)(arg) == getattr(copied, op)(arg)
        assert mapped.tell() == copied.tell()
    assert mapped.get(3, 9) == data[3:12]
    assert mapped.subset(11, 6).read(6) == b"second"
