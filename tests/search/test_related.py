"""Similar solutions: every text field but the title counts, and the best matches come first."""

from sqlalchemy import select
from whoosh import query as q

from marketplace import search
from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.search import live
from marketplace.search.related import SIMILAR_FIELDS, key_terms
from marketplace.vocab import Status


def words_of(solution: Solution) -> str:
    """The text the entry page asks similar solutions for."""
    return " ".join((solution.title, solution.summary, solution.description))


def test_entries_sharing_words_in_lessons_or_summary_are_similar(make_solution):
    source = make_solution(
        title="Seawater cooling for the town hall",
        summary="Seawater district cooling for offices.",
        description="Cold seawater pumped from the bay cools offices in summer.",
    )
    by_lessons = make_solution(
        title="Harbour quay renewal",
        description="Quay walls rebuilt after storms.",
        lessons="Lay seawater cooling pipes before the quay is rebuilt.",
    )
    by_summary = make_solution(
        title="Bay water for the hospital",
        summary="District cooling with seawater from the bay.",
        description="Nothing else in common.",
    )
    make_solution(title="Unrelated", description="Protected bike lanes.")
    make_solution(title="Unpublished", lessons="Seawater cooling.", status=Status.DRAFT)
    search.rebuild()
    found = search.similar(source.id, words_of(source))
    assert set(found) == {by_lessons.id, by_summary.id}


def test_similar_solutions_are_the_best_scored_of_all_matches(demo_app):
    with demo_app.app_context():
        searcher = live.generation().searcher
        entries = db.session.scalars(
            select(Solution).where(Solution.status == Status.PUBLISHED).order_by(Solution.id)
        ).all()
        for entry in entries:
            text = words_of(entry)
            terms = key_terms(searcher, text)
            query = q.Or(
                [q.Term(name, t, boost=w) for t, w in terms.items() for name in SIMILAR_FIELDS]
            )
            itself = {searcher.document_number(id=str(entry.id))}
            # Whoosh scoring every match (limit=None): the reference for the top four.
            scores = {int(hit["id"]): round(hit.score, 6) for hit in searcher.search(
                query, limit=None, mask=itself
            )}  # fmt: skip
            expected = sorted(scores.values(), reverse=True)[:4]
            found = search.similar(entry.id, text)
            assert [scores[i] for i in found] == expected, entry.slug
            assert entry.id not in found


def test_an_entry_s_similar_solutions_are_read_in_its_own_language(make_solution):
    source = make_solution(
        language="es",
        title="Bicicletas eléctricas compartidas",
        summary="Préstamo de bicicletas eléctricas para los trabajadores.",
        description="Las bicicletas eléctricas compartidas llegan a los polígonos industriales.",
    )
    inflected = make_solution(
        language="es",
        title="Una bicicleta eléctrica para cada trabajador",
        summary="Bicicleta eléctrica compartida en el polígono.",
        description="Nada más en común.",
    )
    make_solution(title="Unrelated", description="Protected bike lanes.")
    search.rebuild()
    assert search.similar(source.id, words_of(source), language="es") == [inflected.id]
    # Read as English, the Spanish plurals would not meet their singulars.
    assert search.similar(source.id, words_of(source), language="en") != [inflected.id]


def test_a_possible_duplicate_is_found_in_the_language_it_is_written_in(make_solution):
    existing = make_solution(
        language="it",
        title="Consegne con cargo bike nel centro storico",
        summary="Le consegne dell'ultimo miglio in cargo bike.",
    )
    search.rebuild()
    found = search.duplicates("Consegna in cargo bike nei centri storici", "", language="it")
    assert found == [existing.id]
