"""The rebuild's writer (bulk.py) writes the segment Whoosh's own writer writes, in parallel too."""

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from marketplace import search
from marketplace.extensions import db
from marketplace.search import index
from marketplace.search.bulk import BulkSegmentWriter
from marketplace.search.documents import document
from marketplace.search.index import current_dir, published_entries
from marketplace.search.schema import build_schema

TEXTS = [
    "Solar panels on school roofs cut energy bills; the IT team tracks buses and SMEs.",
    "Retrofitting social housing: heat pumps, insulation and the tenants' own energy cafés.",
    "Open data portal for mobility; buses, bikes and the city's parking, in real time.",
]


def _everything(directory) -> dict:
    """Every posting (field, term, document id, weight, value, length), every term's stats and
    every stored document."""
    ix = whoosh_index.open_dir(directory)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        postings, terms = set(), {}
        for fieldname, term in reader.all_terms():
            info = reader.term_info(fieldname, term)  # its stats: lengths the writer was given
            terms[fieldname, term] = (info.weight(), info.doc_frequency(), info.min_length(),
                                      info.max_length(), info.max_weight())  # fmt: skip
            matcher = reader.postings(fieldname, term)
            while matcher.is_active():
                docnum = matcher.id()
                length = reader.doc_field_length(docnum, fieldname)
                postings.add(
                    (fieldname, term, ids[docnum], matcher.weight(), matcher.value(), length)
                )
                matcher.next()
        stored = {fields["id"]: fields for _, fields in reader.iter_docs()}
        totals = {name: reader.field_length(name) for name in ix.schema.names()}
    ix.close()
    return {"postings": postings, "terms": terms, "stored": stored, "totals": totals}


def test_the_bulk_writer_writes_what_whoosh_s_writer_writes(ctx, make_solution, tmp_path):
    for i, text in enumerate(TEXTS * 3):
        make_solution(title=f"Entry {i} {text[:20]}", summary=text, description=text * (i + 1))
    documents = [document(entry) for entry in db.session.scalars(published_entries())]
    written = {}
    for name, writer_class in (("whoosh", SegmentWriter), ("bulk", BulkSegmentWriter)):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(tmp_path / name, build_schema())
        writer = writer_class(ix)
        for fields in documents:
            writer.add_document(**fields)
        writer.commit()
        ix.close()
        written[name] = _everything(tmp_path / name)
    assert written["bulk"]["postings"]  # not two empty indexes
    assert written["bulk"] == written["whoosh"]


def test_a_parallel_rebuild_indexes_every_entry_once_and_reports_progress(
    ctx, make_solution, monkeypatch
):
    entries = [make_solution(summary=f"{TEXTS[i % 3]} Number {i}.") for i in range(250)]
    monkeypatch.setattr(index, "PARALLEL_FROM", 1)  # several processes from the first entry
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    reported = []

    class Bar:
        def __init__(self, total):
            reported.append(total)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            reported.append(n)

    assert search.rebuild(progress=Bar) == 250
    assert reported[0] == 250
    assert sum(reported[1:]) == 250
    ix = whoosh_index.open_dir(current_dir())
    with ix.searcher() as searcher:
        assert len(ix._segments()) == 2
        ids = sorted(int(fields["id"]) for fields in searcher.all_stored_fields())
    ix.close()
    assert ids == sorted(entry.id for entry in entries)
    found = search.run(search.SearchRequest(text="number 137", per_page=300))
    assert entries[137].id in [hit.id for hit in found.hits]
