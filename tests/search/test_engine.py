"""Search semantics a city officer relies on: words, phrases, accents, stems, facets, spelling."""

import random

import pytest
from sqlalchemy import select
from whoosh import index as whoosh_index

from marketplace import search
from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.search import SearchRequest
from marketplace.search.query import alternatives
from marketplace.services.catalogue_search import search_catalogue
from marketplace.vocab import Status


def titles(text="", **kwargs):
    outcome = search.run(SearchRequest(text=text, per_page=100, **kwargs))
    return [db.session.get(Solution, hit.id).title for hit in outcome.hits]


@pytest.fixture
def corpus(make_solution, make_city, taxonomy):
    """A few entries with known words, cities and facet values, and an up-to-date index."""
    malmo = make_city(slug="malmo", name="Malmö", country="SE")
    guimaraes = make_city(slug="guimaraes", name="Guimarães", country="PT")
    ch = taxonomy["challenges"]
    make_solution(
        title="Adaptive traffic signals against congestion in the old town",
        summary="Signals cut queues around the historic centre.",
        description="Traffic congestion fell once buses got priority.",
        city=malmo,
        challenges=[ch["congestion"]],
        kind="solution",
        maturity="deployed",
    )
    make_solution(
        title="Retrofitting municipal schools",
        summary="Deep energy retrofitting of 40 schools with heat pumps.",
        description="Insulation, windows and heat pumps in every school.",
        city=guimaraes,
        challenges=[ch["retrofit"]],
        kind="best_practice",
        maturity="scaled",
    )
    make_solution(
        title="Green jobs academy",
        summary="Retraining workers for green jobs in energy and construction.",
        description="Courses on heat pumps and insulation with employers; open data on placements.",
        city=guimaraes,
        challenges=[ch["smes"], ch["retrofit"]],
        kind="solution",
        maturity="pilot",
    )
    make_solution(
        title="Unpublished draft about congestion",
        summary="Congestion congestion congestion.",
        status=Status.DRAFT,
    )
    search.rebuild()


def test_plain_language_question_finds_the_matching_entry_first(corpus):
    found = titles("how can we reduce traffic congestion in our old town?")
    assert found[0] == "Adaptive traffic signals against congestion in the old town"


def test_words_are_optional_so_a_long_question_still_finds_entries(corpus):
    found = titles("retrain workers for green jobs in the construction sector of our region please")
    assert found[0] == "Green jobs academy"


def test_only_published_entries_are_found(corpus):
    assert "Unpublished draft about congestion" not in titles("congestion")


def test_accents_fold_both_ways(corpus):
    assert titles("Malmo") == ["Adaptive traffic signals against congestion in the old town"]
    assert set(titles("guimaraes")) == {"Retrofitting municipal schools", "Green jobs academy"}
    assert titles("Guimarães") == titles("guimaraes")


def test_stemming_matches_other_forms_of_a_word(corpus):
    assert titles("retrofit")[0] == "Retrofitting municipal schools"
    assert "Green jobs academy" in titles("retrained")


def test_quoted_phrase_must_appear_as_a_phrase(corpus):
    assert set(titles('"heat pumps"')) == {"Retrofitting municipal schools", "Green jobs academy"}
    assert titles('"pumps heat"') == []


def test_leading_minus_excludes_a_word(corpus):
    assert "Retrofitting municipal schools" not in titles("energy -schools")
    assert "Green jobs academy" in titles("energy -schools")
    assert titles("-congestion")
    assert "Adaptive" not in " ".join(titles("-congestion"))


def test_empty_query_lists_every_published_entry_newest_first(corpus):
    outcome = search.run(SearchRequest(per_page=100, sort="newest"))
    assert outcome.total == 3


def suggestion(text: str) -> str | None:
    return search.run(SearchRequest(text=text, exact=True)).suggestion


def test_misspelled_word_gets_a_suggestion(corpus):
    assert suggestion("congestoin") == "congestion"
    assert suggestion("retrofiting") == "retrofitting"
    assert suggestion("congestion") is None


def test_body_words_two_entries_use_are_known_to_spelling(corpus):
    assert suggestion("insulaton") == "insulation"  # two entries
    assert suggestion("placemnets") is None  # one: maybe a typo


def test_a_search_finding_nothing_runs_its_correction_instead(corpus):
    outcome = search.run(SearchRequest(text="congestoin signals"))
    # "signals" alone finds the traffic entry: the correction only runs when nothing matched.
    assert outcome.corrected_from is None
    assert outcome.suggestion == "congestion signals"
    outcome = search.run(SearchRequest(text="congestoin"))
    assert outcome.corrected_from == "congestoin"
    assert outcome.suggestion is None
    # "congestion" is French too: one word, read in both languages ("congest" is English's).
    [(word, weight)] = outcome.parsed.words.items()
    assert "congest" in alternatives(word)
    assert weight == 1.0
    assert outcome.total == 1
    assert titles("congestoin") == ["Adaptive traffic signals against congestion in the old town"]


def test_an_exact_search_or_one_without_a_correction_finds_nothing(corpus):
    exact = search.run(SearchRequest(text="congestoin", exact=True))
    assert (exact.total, exact.corrected_from, exact.suggestion) == (0, None, "congestion")
    nothing = search.run(SearchRequest(text="zebra crossings"))
    assert (nothing.total, nothing.corrected_from) == (0, None)


def test_facets_are_or_within_and_and_across(corpus):
    both = search.run(SearchRequest(filters={"city": ("malmo", "guimaraes")}))
    assert both.total == 3
    narrowed = search.run(SearchRequest(filters={"city": ("guimaraes",), "kind": ("solution",)}))
    assert narrowed.total == 1


def test_a_facet_count_is_the_total_ticking_that_value_gives(corpus):
    outcome = search.run(SearchRequest(filters={"kind": ("solution",)}))
    # Kind counts ignore the kind filter itself; other facets count within it.
    assert outcome.counts["kind"] == {"solution": 2, "best_practice": 1}
    assert outcome.counts["city"] == {"malmo": 1, "guimaraes": 1}
    for value, count in outcome.counts["city"].items():
        ticked = search.run(SearchRequest(filters={"kind": ("solution",), "city": (value,)}))
        assert ticked.total == count


def test_a_selected_value_stays_visible_with_count_zero(corpus):
    outcome = search.run(SearchRequest(text="congestion", filters={"country": ("XX",)}))
    assert outcome.total == 0
    assert outcome.counts["country"]["XX"] == 0


def test_sort_by_title(corpus):
    assert titles(sort="title") == sorted(titles(sort="title"), key=str.casefold)


def test_pages_past_the_end_are_empty_not_errors(corpus):
    outcome = search.run(SearchRequest(page=50, per_page=2))
    assert outcome.total == 3
    assert outcome.hits == []


def test_highlights_escape_user_text_before_marking(make_solution):
    make_solution(summary='Fighting <script>alert("x")</script> congestion & noise')
    search.rebuild()
    page = search_catalogue(SearchRequest(text="congestion"))
    html = str(page.results[0].highlight)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>congestion</mark>" in html
    assert "&amp; noise" in html


def test_title_suggestions_complete_the_last_word(corpus):
    assert [t["title"] for t in search.suggest_titles("retrofitt")] == [
        "Retrofitting municipal schools"
    ]
    assert [t["title"] for t in search.suggest_titles("green jo")] == ["Green jobs academy"]
    assert search.suggest_titles("") == []


def _database_values():
    """Each published entry's facet values, as the database has them."""
    published = db.session.scalars(select(Solution).where(Solution.status == Status.PUBLISHED))
    return [
        {
            "kind": {solution.kind},
            "maturity": {solution.maturity},
            "country": {solution.city.country},
            "city": {solution.city.slug},
            "challenge": {c.slug for c in solution.challenges},
            "track": {t.slug for t in solution.tracks},
        }
        for solution in published
    ]


def _db_total(entries, filters):
    """Entries matching every facet of ``filters`` (OR within one facet)."""
    return sum(
        all(entry[name] & set(values) for name, values in filters.items()) for entry in entries
    )


def test_counts_equal_the_database_over_random_filter_combinations(corpus, make_solution, taxonomy):
    rng = random.Random(7)  # noqa: S311 (test data, not secrets)
    ch = list(taxonomy["challenges"].values())
    for n in range(25):
        make_solution(
            kind=rng.choice(["solution", "best_practice"]),
            maturity=rng.choice(["idea", "pilot", "deployed", "scaled"]),
            challenges=rng.sample(ch, rng.randint(1, 3)),
            title=f"Generated entry {n}",
        )
    search.drain()
    entries = _database_values()
    options = {
        "kind": ["solution", "best_practice"],
        "maturity": ["idea", "pilot", "deployed", "scaled"],
        "challenge": [c.slug for c in ch],
        "track": ["green", "mobility"],
        "city": ["malmo", "guimaraes"],
    }
    for _ in range(40):
        names = rng.sample(sorted(options), rng.randint(0, 3))
        filters = {name: tuple(rng.sample(options[name], rng.randint(1, 2))) for name in names}
        outcome = search.run(SearchRequest(filters=filters))
        assert outcome.total == _db_total(entries, filters), filters
        for name in options:
            others = {k: v for k, v in filters.items() if k != name}
            for value, count in outcome.counts[name].items():
                assert count == _db_total(entries, {**others, name: (value,)}), (filters, name)


def test_similar_solutions_are_published_and_never_the_entry_itself(corpus, client):
    from marketplace.services.catalogue_search import similar_entries

    schools = db.session.scalar(select(Solution).where(Solution.title.startswith("Retrofitting")))
    similar = similar_entries(schools)
    assert similar
    assert schools not in similar
    assert all(s.status == Status.PUBLISHED for s in similar)
    assert similar[0].title == "Green jobs academy"  # shares energy, heat, construction words
    page = client.get(f"/solutions/{schools.slug}").get_data(as_text=True)
    assert "Similar solutions" in page
    assert "Green jobs academy" in page
    assert "Unpublished draft" not in page


def test_excluded_words_leave_out_every_entry_holding_them(corpus):
    # Whoosh 2.7.5's AndNot keeps the first wanted document when the excluded side matched an
    # earlier document first: here "traffic" (the first entry) let "schools" through.
    assert titles('"heat pumps" -schools -traffic') == ["Green jobs academy"]
    assert titles('"heat pumps" -"municipal schools" -"old town"') == ["Green jobs academy"]


def test_searches_on_an_unchanged_index_do_not_reopen_it(corpus, monkeypatch):
    search.run(SearchRequest(text="congestion"))  # opens the searcher
    opened = []
    exists_in = whoosh_index.exists_in
    monkeypatch.setattr(
        whoosh_index, "exists_in", lambda *args, **kw: opened.append(args) or exists_in(*args, **kw)
    )
    for text in ("congestion", "heat pumps", ""):
        search.run(SearchRequest(text=text))
    assert opened == []


def test_snippet_window_is_linear_in_the_matches():
    """A long text full of matches is highlighted without quadratic work."""
    from marketplace.search.highlight import _window

    spans = [(i * 6, i * 6 + 4) for i in range(200_000)]
    begin, end = _window("word " * 240_000, spans)
    assert 0 <= begin < end


@pytest.mark.parametrize(
    ("text", "sort", "applied"),
    [("", "relevance", "newest"), ("-congestion", "relevance", "newest"), ("", "best", "newest"),
     ("congestion", "relevance", "relevance"), ("congestion", "best", "relevance"),
     ("", "title", "title"), ("congestion", "newest", "newest")],
)  # fmt: skip
def test_a_request_says_the_sort_applied_newest_when_nothing_ranks(text, sort, applied):
    # One place decides: the page's sort menu and the engine both read the request's sort.
    assert SearchRequest(text=text, sort=sort).sort == applied


def test_a_long_question_bounds_its_spelling_and_ranking_work(corpus, monkeypatch):
    from marketplace.search.fast import Vectors
    from marketplace.search.spelling import Speller

    calls = {"postings": 0, "closest": 0}

    def counted(name, method):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return method(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(Vectors, "postings", counted("postings", Vectors.postings))
    monkeypatch.setattr(Speller, "_closest", counted("closest", Speller._closest))
    # 45 distinct unknown words, 10 typed twice: spelling and ranking look at a bounded few.
    typed = [f"zq{chr(97 + n // 26)}{chr(97 + n % 26)}word" for n in range(45)]
    outcome = search.run(SearchRequest(text=" ".join(typed + typed[:10])))
    assert outcome.total == 0
    assert calls["closest"] <= 16
    assert calls["postings"] <= 16 * len(search.schema.TEXT_FIELDS)
