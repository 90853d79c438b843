"""Which language version of an entry a reader sees: their own language when the city wrote one,
else the entry as its city wrote it; the other versions are a link away."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import i18n
from ..extensions import db
from ..models import Solution, SolutionTranslation


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


def original(solution: Solution) -> Version:
    return Version(
        language=solution.language or i18n.DEFAULT,
        title=solution.title,
        summary=solution.summary,
        description=solution.description,
        impact=solution.impact,
        lessons=solution.lessons,
        original=True,
    )


def every(solution: Solution) -> list[Version]:
    """The original first, then the translations by language code."""
    versions = [original(solution)]
    for translation in solution.translations:
        if translation.language != versions[0].language:
            versions.append(
                Version(
                    language=translation.language,
                    title=translation.title,
                    summary=translation.summary,
                    description=translation.description,
                    impact=translation.impact,
                    lessons=translation.lessons,
                    original=False,
                )
            )
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
