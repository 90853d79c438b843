"""The search page asks the database a fixed number of questions, however many results it shows.

Result cards read their city, challenges and tracks from one eager load of the page, facet
labels come from one query of the counted cities and the taxonomy's labels kept per
vocabulary stamp: never one query a card. Statements are counted with SQLAlchemy's cursor
events.
"""

import pytest
from support import counted_statements

from marketplace import search
from marketplace.extensions import db
from marketplace.models import SolutionTranslation


@pytest.fixture
def entries_about_congestion(make_solution, make_city, taxonomy):
    """Add ``n`` published entries about congestion, each in a city of its own, filed under two
    challenges of two tracks, with a French version; rebuild the index."""
    challenges = taxonomy["challenges"]
    made = 0

    def add(n: int) -> None:
        nonlocal made
        for _ in range(n):
            made += 1
            entry = make_solution(
                title=f"Congestion pricing {made}",
                summary="Fewer cars downtown at rush hour.",
                city=make_city(),
                challenges=[challenges["congestion"], challenges["retrofit"]],
            )
            entry.translations.append(
                SolutionTranslation(
                    language="fr", title=f"Péage {made}", summary="Moins de voitures"
                )
            )
        db.session.commit()
        search.rebuild()

    return add


PAGES = [
    "/solutions?q=congestion",
    "/solutions?q=congestion&lang=fr",
    "/solutions?q=how+to+reduce+congestion+downtown&kind=solution&country=ES",
    "/solutions?kind=solution",
]


@pytest.mark.parametrize("path", PAGES)
def test_the_search_page_asks_as_many_questions_for_two_results_as_for_twenty(
    client, entries_about_congestion, path
):
    counts = []
    for total in (2, 20):
        entries_about_congestion(total - len(counts) * 2)
        client.get(path)  # warm the per-process caches alike
        with counted_statements() as sent:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(len(sent))
    assert counts[0] == counts[1]
    assert counts[1] <= 8
