"""The demo catalogue: a realistic, complete sample that exercises every part of the product."""

import itertools
from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace import vocab
from marketplace.extensions import db
from marketplace.models import City, ModerationEvent, Solution, SolutionTranslation, Track
from marketplace.models.solution import TRANSLATABLE
from marketplace.services import demo as seed
from marketplace.services.errors import ValidationFailed
from marketplace.vocab import Status


@pytest.fixture
def demo(demo_app):
    with demo_app.app_context():
        yield


def _entries():
    return db.session.scalars(select(Solution)).all()


def test_cities_have_valid_countries_and_roles_and_are_marked_sample(demo):
    cities = db.session.scalars(select(City)).all()
    assert len(cities) >= 40
    for city in cities:
        assert vocab.is_country(city.country), city.slug
        assert city.role in vocab.CITY_ROLES, city.slug
        assert city.sample


@pytest.mark.parametrize(
    ("name", "country", "role"),
    [
        ("Aarhus", "DK", "mentor"),
        ("Amsterdam", "NL", "mentor"),
        ("Antwerp", "BE", "mentor"),
        ("Barcelona", "ES", "mentor"),
        ("Espoo", "FI", "mentor"),
        ("Hamburg", "DE", "mentor"),
        ("Nice", "FR", "mentor"),
        ("Porto", "PT", "mentor"),
        ("Tampere", "FI", "mentor"),
        ("Turku", "FI", "mentor"),
        ("Cork", "IE", "core"),
        ("Guimarães", "PT", "core"),
        ("Ioannina", "GR", "core"),
        ("Jyväskylä", "FI", "core"),
        ("Ljubljana", "SI", "core"),
        ("Sofia", "BG", "core"),
        ("Terrassa", "ES", "core"),
        ("Valongo", "PT", "core"),
        ("Ventspils", "LV", "core"),
        ("Zagreb", "HR", "core"),
        ("Skopje", "MK", "observer"),
    ],
)
def test_icc_cities_are_spelled_properly_with_country_and_role(demo, name, country, role):
    city = db.session.scalar(select(City).where(City.name == name))
    assert city is not None, name
    assert (city.country, city.role) == (country, role)


def test_entries_cover_every_track_kind_maturity_and_status(demo):
    entries = _entries()
    assert len(entries) >= 60
    assert {e.kind for e in entries} == set(vocab.KINDS)
    assert {e.maturity for e in entries} == set(vocab.MATURITIES)
    assert {e.status for e in entries} == {s.value for s in Status}
    published = [e for e in entries if e.status == Status.PUBLISHED]
    assert len(published) > len(entries) / 2
    tracks = {t.slug for e in published for t in e.tracks}
    assert tracks == set(db.session.scalars(select(Track.slug)))
    assert len({lang for e in entries for lang in e.languages}) >= 5


def test_entries_are_complete_write_ups(demo):
    for entry in _entries():
        assert entry.sample
        assert 0 < len(entry.summary) <= 300, entry.slug
        assert entry.description.count("\n\n") >= 2, entry.slug  # several paragraphs
        assert entry.impact, entry.slug
        assert entry.lessons, entry.slug
        assert entry.challenges, entry.slug
        for language in entry.languages:
            assert vocab.is_language(language), (entry.slug, language)
        assert entry.cost_band in vocab.COST_BANDS, entry.slug


def test_each_entry_history_ends_in_its_status(demo):
    for entry in _entries():
        events = db.session.scalars(
            select(ModerationEvent)
            .where(ModerationEvent.solution_id == entry.id)
            .order_by(ModerationEvent.created_at, ModerationEvent.id)
        ).all()
        assert events[0].from_status is None
        assert events[-1].to_status == entry.status, entry.slug
        for before, after in itertools.pairwise(events):
            assert after.from_status == before.to_status
        assert (entry.published_at is not None) == any(
            e.to_status == Status.PUBLISHED for e in events
        )


def test_entries_are_written_in_their_cities_languages(demo):
    entries = _entries()
    by_language: dict[str, int] = {}
    for entry in entries:
        by_language[entry.language] = by_language.get(entry.language, 0) + 1
        if entry.language != "en":  # an English write-up may describe a solution in Romanian
            assert entry.language in entry.languages, entry.slug
    for language in ("es", "it", "pt", "de", "fr", "el", "fi"):
        assert by_language.get(language, 0) >= 1, language
    assert sum(n for language, n in by_language.items() if language != "en") >= 12


def test_translations_are_complete_and_never_in_the_entrys_own_language(demo):
    entries = _entries()
    translated = [entry for entry in entries if entry.translations]
    for entry in translated:
        for translation in entry.translations:
            assert translation.language != entry.language, entry.slug
            assert translation.language in entry.languages, (entry.slug, translation.language)
            for name in TRANSLATABLE:
                assert getattr(translation, name), (entry.slug, translation.language, name)
            assert 0 < len(translation.summary) <= 300
            assert translation.description.count("\n\n") >= 2, entry.slug
    into_english = [e for e in translated if any(t.language == "en" for t in e.translations)]
    assert len(into_english) >= 6
    from_english = [e for e in translated if e.language == "en"]
    assert len(from_english) >= 4
    for entry in from_english:  # into the language of the entry's city
        assert {t.language for t in entry.translations} & set(entry.languages) - {"en"}


def test_an_entry_and_its_translation_say_the_same(demo):
    entry = db.session.scalar(
        select(Solution).where(Solution.slug == "hamburg-mikro-depots-lastenraeder-letzte-meile")
    )
    assert (entry.language, entry.status) == ("de", Status.PUBLISHED)
    assert entry.title.startswith("Mikro-Depots")
    (english,) = entry.translations
    assert english.language == "en"
    assert english.title.startswith("Micro-depots")
    assert "48 Lastenräder" in entry.impact
    assert "48 cargo bikes" in english.impact


def test_seeding_twice_adds_no_second_translation(demo_app):
    with demo_app.app_context():
        before = db.session.scalar(select(func.count()).select_from(SolutionTranslation))
        assert "translations" not in seed.seed_demo().created
        after = db.session.scalar(select(func.count()).select_from(SolutionTranslation))
        assert before == after > 0


@pytest.mark.parametrize(
    ("translations", "message"),
    [
        ({"en": {"title": "Same language"}}, "not in another language"),
        ({"xx": {"title": "Unknown"}}, "not in another language"),
        ({"fr": {"summary": "No title"}}, "needs a title"),
        ({"fr": {"title": "Titre", "city": "lille"}}, "needs a title"),
    ],
)
def test_a_bad_seed_translation_is_refused(translations, message):
    item = {"slug": "seed-entry", "language": "en", "translations": translations}
    with pytest.raises(ValidationFailed, match=message):
        seed._translations(item, seed._at(date(2024, 1, 1)))
