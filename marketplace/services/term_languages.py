"""A taxonomy term in the interface languages other than English: its names and the words people
use for it in each, as curators edit them on the term's page (English: manage_taxonomy)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from .. import i18n
from . import audit, phrases
from .errors import ValidationFailed


@dataclass(frozen=True)
class InLanguage:
    """A term's name and phrases in one interface language other than English, as typed (None:
    the form did not carry that field, so it stays as it is)."""

    language: str
    name: str | None
    words: str | None


def save(user: Any, term: Any, wanted: list[InLanguage]) -> bool:
    """Set the term's names and phrases in other languages; log what changed. An empty name
    falls back to the English one on the pages.

    :raises ValidationFailed: a name too long (field "name_<language>") or a bad phrase
        (field "phrases_<language>").
    """
    from .manage_taxonomy import NAME_MAX, describe  # which imports this module

    labels = dict(term.labels or {})
    cleaned = {}
    for item in wanted:
        if item.language not in i18n.LANGUAGES[1:]:
            continue
        if item.name is not None:
            name = " ".join(item.name.split())
            if len(name) > NAME_MAX:
                raise ValidationFailed(
                    _("Keep the name to %(max)d characters.", max=NAME_MAX),
                    f"name_{item.language}",
                )
            if name:
                labels[item.language] = name
            else:
                labels.pop(item.language, None)
        if item.words is not None:
            try:
                cleaned[item.language] = phrases.clean(item.words)
            except ValidationFailed as error:
                raise ValidationFailed(str(error), f"phrases_{item.language}") from error
    changed = []
    if labels != (term.labels or {}):
        term.labels = labels
        changed.append("names: " + ", ".join(f"{k}={v}" for k, v in sorted(labels.items())))
        phrases.bump_revision()  # search matches terms by their names in every language
    for language, words in cleaned.items():
        result = phrases.replace(term, words, language=language)
        if result.changed:
            changed.append(f"{language} phrases: " + ", ".join(words))
    if changed:
        audit.record(user, "taxonomy.translated", describe(term), "; ".join(changed))
    return bool(changed)
