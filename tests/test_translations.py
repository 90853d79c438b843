"""Every interface language is complete: each string the sources mark is translated, confirmed (not
fuzzy), keeps its placeholders, and the catalogues hold nothing the sources no longer mark."""

import pytest
import translation_catalogues as catalogues

from marketplace.i18n import LANGUAGES

TRANSLATED = LANGUAGES[1:]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_marked_string_is_translated_and_confirmed(language):
    catalogue = catalogues.read(language)
    missing = sorted(
        catalogues.marked()
        - {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
    )
    assert not missing, f"{language}: not in the catalogue (run `make messages`): {missing[:10]}"
    untranslated = [
        m.id
        for m in catalogue
        if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    assert not untranslated, f"{language}: untranslated: {untranslated[:10]}"
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not fuzzy, f"{language}: fuzzy (confirm or correct, then drop the flag): {fuzzy[:10]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders_of_the_english(language):
    problems = [
        (message.id, [str(error) for error in errors])
        for message, errors in catalogues.read(language).check()
    ]
    assert not problems, f"{language}: {problems[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogues_hold_no_string_the_sources_dropped(language):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogues.read(language) if m.id}
    stale = sorted(ids - catalogues.marked())
    assert not stale, f"{language}: no longer marked (run `make messages`): {stale[:10]}"
