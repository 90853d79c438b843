"""An entry's translations, written by its city: one language at a time, saved like the entry.

A translation is part of the entry's data (services.entries), so saving one takes the data the
entry form would start from, changes that one language and saves it through publishing.save:
a draft changes at once, a published entry's change waits in its pending revision for a curator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from ..i18n import language_name
from ..models import Solution
from ..models.solution import TRANSLATABLE
from ..vocab import FORM_LANGUAGES, RevisionStatus, Status
from . import publishing
from .entries import split_translation_key
from .errors import NotFound

EMPTY = dict.fromkeys(TRANSLATABLE, "")


@dataclass(frozen=True)
class TranslationEditor:
    """What one translation's page starts from."""

    state: publishing.EditorState
    code: str
    # The translation as the editor data holds it (empty fields for a new one).
    values: dict[str, str]
    # The entry's own text in its own language, shown beside each field.
    original: dict[str, str]
    exists: bool

    @property
    def original_language(self) -> str:
        return self.state.data.get("language") or "en"


def in_review(solution: Solution) -> bool:
    """Whether the published entry's pending changes (translations included) wait for review."""
    return (
        solution.status == Status.PUBLISHED
        and solution.revision is not None
        and solution.revision.status == RevisionStatus.SUBMITTED
    )


def languages_to_add(data: dict[str, Any]) -> list[str]:
    """The codes a new translation may use: the form's languages but the original's and those
    already translated, ordered by their names in the interface language."""
    taken = {data.get("language") or "en", *(data.get("translations") or {})}
    free = [code for code in FORM_LANGUAGES if code not in taken]
    return sorted(free, key=lambda code: language_name(code).casefold())


def editor(user: Any, solution: Solution, code: str) -> TranslationEditor:
    """The page of ``solution``'s translation into ``code`` (a new one when there is none).

    :raises NotFound: ``code`` is no language of the form's list, or the original's language.
    :raises PermissionDenied: see publishing.editor_state.
    """
    state = publishing.editor_state(user, solution)
    if code not in FORM_LANGUAGES or code == (state.data.get("language") or "en"):
        raise NotFound(_("An entry cannot be translated into this language."))
    translations = state.data.get("translations") or {}
    values = {**EMPTY, **translations.get(code, {})}
    original = {name: state.data.get(name) or "" for name in TRANSLATABLE}
    return TranslationEditor(state, code, values, original, code in translations)


def save(
    user: Any,
    solution: Solution,
    code: str,
    values: dict[str, str],
    version: int | None = None,
) -> publishing.SaveResult:
    """Add or replace the translation into ``code``, through the entry's save path.

    Problems come back keyed by the translation's field names ("title"); "" for the rest.

    :raises NotFound: see editor.
    :raises PermissionDenied: see publishing.editor_state.
    """
    page = editor(user, solution, code)
    translations = dict(page.state.data.get("translations") or {})
    translations[code] = {name: values.get(name) or "" for name in TRANSLATABLE}
    return _save(user, solution, page.state, translations, code, version)


def remove(
    user: Any, solution: Solution, code: str, version: int | None = None
) -> publishing.SaveResult:
    """Remove the translation into ``code``, through the entry's save path.

    :raises NotFound: the entry (as its editor sees it) has no translation into ``code``.
    :raises PermissionDenied: see publishing.editor_state.
    """
    page = editor(user, solution, code)
    if not page.exists:
        raise NotFound(_("This entry has no translation into this language."))
    translations = {k: v for k, v in page.state.data["translations"].items() if k != code}
    return _save(user, solution, page.state, translations, code, version)


def _save(
    user: Any,
    solution: Solution,
    state: publishing.EditorState,
    translations: dict[str, dict[str, str]],
    code: str,
    version: int | None,
) -> publishing.SaveResult:
    # Changes already waiting for review stay in review with the translation, checked by the
    # review rules again; anything else is saved as the author's draft.
    keep_in_review = not state.curator_mode and in_review(solution)
    result = publishing.save(
        user,
        solution,
        {**state.data, "translations": translations},
        "submit" if keep_in_review else "save",
        version=version,
        not_duplicate=True,  # the entry's title and summary are not what changes here
    )
    result.problems = _for_page(result.problems, code)
    return result


def _for_page(problems: dict[str, str], code: str) -> dict[str, str]:
    """The problems of one translation's page: its own fields by name, the rest (another
    translation's, the entry's own) as one message above the form."""
    found: dict[str, str] = {}
    above: list[str] = []
    for key, message in problems.items():
        parts = split_translation_key(key)
        if parts is not None and parts[0] == code and parts[1] in TRANSLATABLE:
            found[parts[1]] = message
        elif parts is not None:
            above.append(
                _(
                    "The translation into %(language)s: %(problem)s",
                    language=language_name(parts[0]),
                    problem=message,
                )
            )
        elif key:
            above.append(_("In the entry itself: %(problem)s", problem=message))
        else:
            above.append(message)
    if above:
        found[""] = " ".join(above)
    return found
