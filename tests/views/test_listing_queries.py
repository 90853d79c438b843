"""Listing pages ask the database a fixed number of questions, however many cards they show.

Cards read their city, challenges, tracks and translations from eager loads of the whole list,
never one query a card; the statements of a page are counted with SQLAlchemy's cursor events.
"""

from datetime import UTC, datetime, timedelta

import pytest
from support import counted_statements

from marketplace.extensions import db
from marketplace.models import Adoption, SolutionTranslation

PAGES = {
    "home": lambda terms: "/",
    "city": lambda terms: f"/cities/{terms['city'].slug}",
    "track": lambda terms: f"/tracks/{terms['track'].slug}",
    "challenge": lambda terms: f"/challenges/{terms['challenge'].slug}",
}


@pytest.fixture
def catalogue_of(make_solution, make_city, taxonomy):
    """Add ``n`` published entries of the city, each in other cities' hands too: two challenges
    of two tracks, a translation, an adoption, every third featured."""
    home = make_city(slug="home-town", name="Home town")
    challenges = taxonomy["challenges"]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    made = 0

    def add(n: int) -> dict:
        nonlocal made
        for _ in range(n):
            made += 1
            entry = make_solution(
                city=home if made % 2 else make_city(),
                challenges=[challenges["retrofit"], challenges["last-mile"]],
                featured=made % 3 == 0,
                published_at=start + timedelta(days=made),
            )
            entry.translations.append(
                SolutionTranslation(language="fr", title=f"Solution {made} (fr)", summary="Résumé")
            )
            if not made % 2:
                entry.adoptions.append(Adoption(city=home, note="Used here"))
        db.session.commit()
        return {"city": home, "track": taxonomy["tracks"][0], "challenge": challenges["retrofit"]}

    return add


def statements_of(client, path: str) -> list[str]:
    for _ in range(2):  # per-process work first: opening the searcher, the outbox catch-up
        client.get(path)
    with counted_statements() as sent:
        response = client.get(path)
    assert response.status_code == 200
    return list(sent)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("indexed", [False, True], ids=["database-counts", "index-counts"])
def test_a_page_of_many_cards_costs_the_queries_of_a_page_of_few(
    app, client, catalogue_of, build_index, page, indexed
):
    app.config["SEARCH_CATCHUP_INTERVAL"] = 3600.0  # no outbox check in the middle of a count
    terms = catalogue_of(3)  # one featured, one adopted: every kind of list has cards
    if indexed:
        build_index()
    few = statements_of(client, PAGES[page](terms))
    catalogue_of(12)  # more than a page of cards (PER_PAGE is 5 in tests)
    if indexed:
        build_index()
    many = statements_of(client, PAGES[page](terms))

    assert len(many) == len(few), "\n".join([*few, "----", *many])
    assert len(many) <= 16, "\n".join(many)
