"""Which language version of an entry a reader sees: their own language when the city wrote one,
else the entry as its city wrote it; the other versions are a link away."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import i18n
from ..extensions import db
from ..models import Solution, SolutionTranslation
from ..models.solution import TRANSLATABLE


@dataclass(frozen=True)
class Version:
    """An entry's text in one language: its original, or a translation its city wrote."""

    language: str
    title: str
    summary: str
    description: str
    impact: str
    lessons: str
    original: bool


def _version(language: str, texts: Any, original: bool) -> Version:
    """A Version of ``texts`` (an entry, a translation or a row holding the TRANSLATABLE fields)."""
    return Version(
        language, **{name: getattr(texts, name) for name in TRANSLATABLE}, original=original
    )


def original(solution: Solution) -> Version:
    return _version(solution.language or i18n.DEFAULT, solution, original=True)


def every(solution: Solution) -> list[Version]:
    """The original first, then the translations by language code."""
    versions = [original(solution)]
    for translation in solution.translations:
        if translation.language != versions[0].language:
            versions.append(_version(translation.language, translation, original=False))
    return versions


def shown(solution: Solution, wanted: str | None = None) -> Version:
    """The version asked for (``wanted``, when the entry has it), else the one in the interface
    language, else the original."""
    versions = every(solution)
    by_language = {version.language: version for version in versions}
    for language in (wanted, i18n.current_language()):
        if language in by_language:
            return by_language[language]
    return versions[0]


def shown_for(solutions: Iterable[Solution], language: str | None = None) -> dict[int, Version]:
    """``shown`` of each entry, by id, in one query of the translations' texts (rather than every
    translation of every entry loaded as objects): search results."""
    language = language or i18n.current_language()
    found = {solution.id: original(solution) for solution in solutions}
    others = [i for i, version in found.items() if version.language != language]
    if others:
        rows = db.session.execute(
            select(
                SolutionTranslation.solution_id,
                *(getattr(SolutionTranslation, name) for name in TRANSLATABLE),
            ).where(
                SolutionTranslation.solution_id.in_(others),
                SolutionTranslation.language == language,
            )
        )
        for row in rows:
            found[row.solution_id] = _version(language, row, original=False)
    return found


def titles(slugs: list[str], language: str | None = None) -> dict[str, str]:
    """The title of each entry (by slug) in ``language`` (the interface's by default) where its
    city translated it; entries without such a translation are left out. One query."""
    language = language or i18n.current_language()
    if not slugs:
        return {}
    rows = db.session.execute(
        select(Solution.slug, SolutionTranslation.title)
        .join(SolutionTranslation, SolutionTranslation.solution_id == Solution.id)
        .where(
            Solution.slug.in_(slugs),
            SolutionTranslation.language == language,
            Solution.language != language,
        )
    )
    return dict(rows.all())
