"""An entry's language and translations as entry data: snapshot, problems, apply, review."""

import pytest

from marketplace.extensions import db
from marketplace.models import Solution, SolutionTranslation
from marketplace.services import curation, entries, publishing, translations
from marketplace.services.errors import NotFound, PermissionDenied
from marketplace.vocab import RevisionStatus, Status

DESCRIPTION = (
    "The city installed solar panels on twelve school roofs with a citizen cooperative. Pupils "
    "follow the production on a dashboard, and the savings pay back the loan in nine years. The "
    "cooperative model lets parents invest small sums."
)
FRENCH = {
    "title": "Toits solaires des écoles",
    "summary": "Des panneaux solaires sur douze écoles.",
    "description": "La ville a installé des **panneaux**.",
    "impact": "",
    "lessons": "",
}


@pytest.fixture
def author(make_user, make_city):
    return make_user(role="publisher", city=make_city(slug="terrassa", name="Terrassa"))


@pytest.fixture
def curator(make_user):
    return make_user(role="curator")


def reload(solution: Solution) -> Solution:
    db.session.rollback()
    return db.session.get(Solution, solution.id)


def rows(solution: Solution) -> dict[str, str]:
    """Language -> title of the entry's translation rows, as the database holds them."""
    query = db.select(SolutionTranslation).where(SolutionTranslation.solution_id == solution.id)
    return {row.language: row.title for row in db.session.scalars(query)}


def published(make_solution, author, **overrides) -> Solution:
    return make_solution(
        city=author.city,
        description=DESCRIPTION,
        contact_email="marta@terrassa.example",
        **overrides,
    )


# --- entries: data, rules, apply -------------------------------------------------------------


def test_snapshot_holds_the_language_and_the_translations(make_solution):
    solution = make_solution(language="pt")
    solution.translations = [SolutionTranslation(language="fr", **FRENCH)]
    db.session.commit()
    data = entries.snapshot(solution)
    assert data["language"] == "pt"
    assert data["translations"] == {"fr": FRENCH}


def test_apply_updates_in_place_removes_and_adds(make_solution):
    solution = make_solution()
    solution.translations = [
        SolutionTranslation(language="fr", title="Ancien"),
        SolutionTranslation(language="de", title="Alt"),
    ]
    db.session.commit()
    french_id = next(t.id for t in solution.translations if t.language == "fr")
    data = entries.snapshot(solution)
    data["translations"] = {"fr": {**FRENCH, "title": "  Nouveau  "}, "it": {"title": "Nuovo"}}
    entries.apply(solution, data)
    db.session.commit()
    solution = reload(solution)
    assert rows(solution) == {"fr": "Nouveau", "it": "Nuovo"}
    assert next(t.id for t in solution.translations if t.language == "fr") == french_id
    assert entries.snapshot(solution)["translations"]["it"] == {
        "title": "Nuovo",
        "summary": "",
        "description": "",
        "impact": "",
        "lessons": "",
    }


def test_data_without_language_or_translations_leaves_them_alone(make_solution):
    """Revisions written before entries had translations must not remove them on approval."""
    solution = make_solution(language="pt")
    solution.translations = [SolutionTranslation(language="fr", title="Titre")]
    db.session.commit()
    data = {
        k: v for k, v in entries.snapshot(solution).items() if k not in ("language", "translations")
    }
    entries.apply(solution, {**data, "title": "Changed"})
    db.session.commit()
    assert reload(solution).language == "pt"
    assert rows(solution) == {"fr": "Titre"}


@pytest.mark.parametrize(
    ("translation", "submit", "key", "message"),
    [
        ({"title": ""}, False, "translations.fr.title", "Give the translation a title."),
        ({"title": "x" * 201}, False, "translations.fr.title", "Keep the title to 200"),
        ({"summary": "x" * 301}, False, "translations.fr.summary", "Keep the summary to 300"),
        ({"impact": "x" * 20_001}, False, "translations.fr.impact", "Keep this to 20,000"),
        ({"title": "a\x00b"}, False, "translations.fr.title", "Remove the invisible control"),
        ({"lessons": "a\x07b"}, False, "translations.fr.lessons", "Remove the invisible"),
        ({"summary": ""}, True, "translations.fr.summary", "Write a summary"),
    ],
)
def test_each_translation_is_checked_like_the_original(translation, submit, key, message):
    data = {"title": "T", "language": "en", "translations": {"fr": {**FRENCH, **translation}}}
    found = entries.problems(data, submit)
    assert found[key].startswith(message), found


def test_a_translation_may_miss_its_summary_in_a_draft_and_keep_line_breaks():
    text = {**FRENCH, "summary": "", "description": "Un.\n\nDeux.\tTrois."}
    data = {"title": "T", "language": "en", "translations": {"fr": text}}
    assert entries.problems(data, submit=False) == {}


@pytest.mark.parametrize(
    ("language", "codes", "key"),
    [
        ("xx", [], "language"),
        ("en", ["en"], "language"),  # a translation into the original's own language
        ("en", ["zz"], "translations.zz.language"),
    ],
)
def test_languages_must_be_known_and_differ_from_the_original(language, codes, key):
    data = {"title": "T", "language": language, "translations": dict.fromkeys(codes, FRENCH)}
    assert key in entries.problems(data, submit=False)


# --- translations: saved through the entry's save path ------------------------------------------


def test_adding_editing_and_removing_a_translation_of_a_draft(author, make_solution):
    solution = make_solution(city=author.city, status=Status.DRAFT)
    added = translations.save(author, solution, "fr", FRENCH)
    assert added.outcome == "saved"
    assert rows(reload(solution)) == {"fr": FRENCH["title"]}
    edited = translations.save(author, reload(solution), "fr", {**FRENCH, "title": "Mieux"})
    assert edited.outcome == "saved"
    assert rows(reload(solution)) == {"fr": "Mieux"}
    assert translations.remove(author, reload(solution), "fr").outcome == "saved"
    assert rows(reload(solution)) == {}
    assert reload(solution).status == Status.DRAFT


def test_a_translation_of_a_published_entry_waits_for_approval(author, curator, make_solution):
    solution = published(make_solution, author)
    result = translations.save(author, solution, "fr", FRENCH)
    assert result.outcome == "revision"
    solution = reload(solution)
    assert rows(solution) == {}  # the public version has none yet
    assert solution.revision.data["translations"] == {"fr": FRENCH}
    assert solution.revision.status == RevisionStatus.DRAFT
    # The author submits the pending changes from the entry form, as for any edit.
    data = publishing.editor_state(author, solution).data
    assert publishing.save(author, solution, data, "submit", not_duplicate=True).stored
    assert rows(reload(solution)) == {}
    curation.decide(curator, solution.id, "approve")
    solution = reload(solution)
    assert rows(solution) == {"fr": FRENCH["title"]}
    assert solution.revision is None


def test_a_rejected_revision_leaves_the_translations_as_they_were(author, curator, make_solution):
    solution = published(make_solution, author)
    solution.translations = [SolutionTranslation(language="de", title="Solardächer")]
    db.session.commit()
    translations.save(author, solution, "fr", FRENCH)
    translations.remove(author, reload(solution), "de")
    solution = reload(solution)
    assert set(solution.revision.data["translations"]) == {"fr"}
    data = publishing.editor_state(author, solution).data
    publishing.save(author, solution, data, "submit", not_duplicate=True)
    curation.decide(curator, solution.id, "reject", "Not now.")
    assert rows(reload(solution)) == {"de": "Solardächer"}


def test_a_translation_saved_while_the_changes_wait_for_review_stays_in_review(
    author, make_solution
):
    solution = published(make_solution, author)
    data = {**entries.snapshot(solution), "summary": "A better summary."}
    publishing.save(author, solution, data, "submit", not_duplicate=True)
    assert translations.save(author, reload(solution), "fr", FRENCH).outcome == "revision"
    solution = reload(solution)
    assert solution.revision.status == RevisionStatus.SUBMITTED
    assert solution.revision.data["summary"] == "A better summary."
    assert solution.revision.data["translations"] == {"fr": FRENCH}
    # In review, the translation needs what a submission needs: a summary.
    refused = translations.save(author, solution, "fr", {**FRENCH, "summary": ""})
    assert refused.outcome == "refused"
    assert refused.problems["summary"].startswith("Write a summary")


def test_the_entry_form_keeps_the_translations(author, make_solution):
    solution = make_solution(city=author.city, status=Status.DRAFT)
    translations.save(author, solution, "fr", FRENCH)
    form_data = {k: v for k, v in entries.snapshot(reload(solution)).items() if k != "translations"}
    assert publishing.save(author, reload(solution), {**form_data, "title": "New"}, "save").stored
    assert rows(reload(solution)) == {"fr": FRENCH["title"]}


def test_a_pending_translation_is_kept_when_the_entry_form_saves_again(author, make_solution):
    solution = published(make_solution, author)
    translations.save(author, solution, "fr", FRENCH)
    data = {
        k: v
        for k, v in publishing.editor_state(author, reload(solution)).data.items()
        if k != "translations"
    }
    publishing.save(author, reload(solution), {**data, "summary": "Changed."}, "save")
    assert reload(solution).revision.data["translations"] == {"fr": FRENCH}


def test_the_original_language_and_unknown_codes_are_not_found(author, make_solution):
    solution = make_solution(city=author.city, status=Status.DRAFT, language="pt")
    for code in ("pt", "xx", "", "FR"):
        with pytest.raises(NotFound):
            translations.save(author, solution, code, FRENCH)
    with pytest.raises(NotFound):
        translations.remove(author, solution, "fr")  # there is none


def test_changing_the_original_to_a_translated_language_is_refused(author, make_solution):
    solution = make_solution(city=author.city, status=Status.DRAFT)
    translations.save(author, solution, "fr", FRENCH)
    data = {**entries.snapshot(reload(solution)), "language": "fr"}
    refused = publishing.save(author, reload(solution), data, "save")
    assert refused.outcome == "refused"
    assert "translation into French" in refused.problems["language"]


def test_problems_land_on_the_translation_fields(author, make_solution):
    solution = make_solution(city=author.city, status=Status.DRAFT)
    refused = translations.save(author, solution, "fr", {**FRENCH, "title": ""})
    assert refused.outcome == "refused"
    assert refused.problems == {"title": "Give the translation a title."}
    assert rows(reload(solution)) == {}


def test_a_save_over_a_newer_version_is_refused(author, make_solution):
    solution = make_solution(city=author.city, status=Status.DRAFT)
    opened = publishing.editor_state(author, solution).version
    translations.save(author, solution, "de", {"title": "Zuerst"})
    late = translations.save(author, reload(solution), "fr", FRENCH, version=opened)
    assert late.outcome == "refused"
    assert "saved this entry after you opened it" in late.problems[""]
    assert rows(reload(solution)) == {"de": "Zuerst"}


def test_another_city_may_not_translate(make_user, make_city, make_solution, author):
    solution = make_solution(city=author.city, status=Status.DRAFT)
    stranger = make_user(role="publisher", city=make_city())
    with pytest.raises(PermissionDenied):
        translations.save(stranger, solution, "fr", FRENCH)


def test_a_curator_changes_a_published_translation_directly(curator, author, make_solution):
    solution = published(make_solution, author)
    assert translations.save(curator, solution, "fr", FRENCH).outcome == "curator"
    solution = reload(solution)
    assert rows(solution) == {"fr": FRENCH["title"]}
    assert solution.revision is None


def test_languages_to_add_leave_out_the_original_and_the_translated():
    codes = translations.languages_to_add({"language": "pt", "translations": {"fr": {}}})
    assert "pt" not in codes
    assert "fr" not in codes
    assert {"de", "en", "es"} <= set(codes)


def test_a_new_entry_is_written_in_the_interface_language_unless_chosen(app, author):
    with app.test_request_context("/?lang=de"):
        assert publishing.editor_state(author, None).data["language"] == "de"
    created = publishing.save(author, None, {"title": "Ein Eintrag", "language": "it"}, "save")
    assert reload(created.solution).language == "it"
