"""A city's own entries: the publisher dashboard and the author's status changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .. import search
from ..database import transactional
from ..extensions import db
from ..i18n import current_language, format_date
from ..models import ModerationEvent, Solution, SolutionRevision
from ..permissions import can_author, can_edit, can_import_for_city, can_publish_for_city
from ..sqltypes import utc_now
from ..vocab import RevisionStatus, Status
from . import audit, curation, entries, images, notices
from .checks import refuse_if_problems
from .errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from .moderation import apply_transition, record_created
from .slugs import slugify, unique_slug

# Dashboard order: what needs the author's attention first.
DASHBOARD_ORDER = (
    Status.CHANGES_REQUESTED,
    Status.DRAFT,
    Status.SUBMITTED,
    Status.PUBLISHED,
    Status.REJECTED,
    Status.ARCHIVED,
)


@dataclass(frozen=True)
class DashboardRow:
    solution: Solution
    # The curator's words on the latest decision (changes requested, rejected), if any.
    last_comment: str


def require_city(user: Any) -> int:
    """The id of the city ``user`` publishes for.

    :raises PermissionDenied: when the account publishes for no city.
    """
    if not can_publish_for_city(user):
        raise PermissionDenied(
            _("The dashboard lists a city's entries; your account publishes for no city.")
        )
    return user.city_id


def _last_comments(solution_ids: list[int]) -> dict[int, str]:
    latest = (
        db.select(ModerationEvent.solution_id, db.func.max(ModerationEvent.id).label("last"))
        .where(ModerationEvent.solution_id.in_(solution_ids))
        .group_by(ModerationEvent.solution_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(ModerationEvent.solution_id, ModerationEvent.comment).join(
            latest, ModerationEvent.id == latest.c.last
        )
    )
    return dict(rows.all())


def dashboard(user: Any) -> dict[Status, list[DashboardRow]]:
    """The entries of the user's city grouped by status, most recently changed first.

    :raises PermissionDenied: see require_city.
    """
    city_id = require_city(user)
    solutions = db.session.scalars(
        db.select(Solution)
        .where(Solution.city_id == city_id)
        .order_by(Solution.updated_at.desc(), Solution.id.desc())
    ).all()
    comments = _last_comments([s.id for s in solutions])
    groups: dict[Status, list[DashboardRow]] = {status: [] for status in DASHBOARD_ORDER}
    for solution in solutions:
        groups[Status(solution.status)].append(
            DashboardRow(solution, comments.get(solution.id, ""))
        )
    return groups


def get_own(user: Any, solution_id: int) -> Solution:
    """The entry with this id, for its author's pages.

    :raises NotFound: no such entry.
    :raises PermissionDenied: the entry belongs to another city (curators may look at any).
    """
    solution = db.session.get(Solution, solution_id)
    if solution is None:
        raise NotFound(_("There is no such entry."))
    if not can_edit(user, solution):
        raise PermissionDenied(_("This entry belongs to another city."))
    return solution


@dataclass(frozen=True)
class EditorState:
    """What the entry form starts from for this user, and how their save will apply."""

    city: Any
    data: dict[str, Any]
    # The entry's version the editor starts from (None for a new entry): a save over a newer
    # one is refused, so two people editing at once cannot silently overwrite each other.
    version: int | None
    # A curator editing a city's entry changes it directly (logged), without a revision.
    curator_mode: bool


def editor_state(user: Any, solution: Solution | None) -> EditorState:
    """The form's starting point: a new entry of the user's city, the author's pending changes
    of a published entry, or the entry itself (a curator edits the approved version).

    :raises PermissionDenied: a new entry by someone publishing for no city, or an entry the
        user may not edit.
    """
    if solution is None:
        require_city(user)
        # The city's usual language is not recorded: the author's interface language is the
        # likeliest one they write in.
        data = {"contact_public": True, "language": current_language(), "translations": {}}
        return EditorState(user.city, data, None, False)
    if not can_edit(user, solution):
        raise PermissionDenied(_("This entry belongs to another city."))
    curator_mode = not can_author(user, solution)
    if solution.revision is not None and not curator_mode:
        data = entries.revision_data(solution)
    else:
        data = entries.snapshot(solution)
    return EditorState(solution.city, data, solution.version, curator_mode)


ACTIONS = ("save", "submit", "preview")


@dataclass
class SaveResult:
    """What became of a save: ``outcome`` is "saved", "submitted", "revision" or "curator" when
    something was stored, else "preview", "duplicates" or "refused"."""

    outcome: str
    solution: Solution | None
    # Field name -> message; "" for a message about the whole form (shown at the top).
    problems: dict[str, str] = field(default_factory=dict)
    preview: Solution | None = None
    duplicates: list[Solution] = field(default_factory=list)
    # The entry's current version when the save was refused for a newer one (see EditorState).
    version: int | None = None

    @property
    def stored(self) -> bool:
        return self.outcome in ("saved", "submitted", "revision", "curator")


def save(
    user: Any,
    solution: Solution | None,
    data: dict[str, Any],
    action: str,
    *,
    upload: IO[bytes] | None = None,
    version: int | None = None,
    not_duplicate: bool = False,
    checked_only: bool = False,
) -> SaveResult:
    """Save, submit or preview the entry form of ``user``: every rule in one place.

    All problems are found at once. An uploaded image is checked now and stored only when the
    save succeeds; a replaced one is deleted. A submission that reads like a published entry
    waits for the author's confirmation (``not_duplicate``). With ``checked_only`` (the form
    itself found problems), nothing is saved and only the problems are returned.

    :raises PermissionDenied: see editor_state and the services it calls.
    """
    state = editor_state(user, solution)
    submit = action == "submit"
    problems = {} if action in ACTIONS else {"": _("Choose to save, submit or preview.")}
    prepared = None
    if upload is not None:
        try:
            prepared = images.prepare(upload)
        except ValidationFailed as error:
            problems["image"] = str(error)
    if data.get("image") and data["image"] != state.data.get("image"):
        data = {**data, "image": ""}  # a crafted name: only the entry's own image can stay
    rules_data = keep_editor_fields(
        {**data, "image": data.get("image") or ("new" if prepared else "")}, state
    )
    problems.update(
        {k: v for k, v in entries.problems(rules_data, submit).items() if k not in problems}
    )
    if solution is not None and version is not None and version != solution.version:
        problems[""] = _newer(solution)
        return SaveResult("refused", solution, problems, version=solution.version)
    if problems or checked_only:
        return SaveResult("refused", solution, problems)
    if action == "preview":
        shown = keep_editor_fields(data, state)
        return SaveResult("preview", solution, preview=entries.preview(shown, state.city))
    if submit and not not_duplicate and not state.curator_mode:
        found = possible_duplicates(data, solution.id if solution is not None else None)
        if found:
            message = ngettext(
                "Not submitted yet: %(num)d published entry reads like yours. Check the list "
                "below the form, then confirm and submit again.",
                "Not submitted yet: %(num)d published entries read like yours. Check the list "
                "below the form, then confirm and submit again.",
                len(found),
            )
            return SaveResult("duplicates", solution, {"": message}, duplicates=found)
    stored_image = images.save(prepared) if prepared is not None else None
    try:
        outcome, solution = _store(user, solution, data, submit, version, stored_image)
    except Outdated as error:  # someone saved between the checks above and the write
        if stored_image:
            images.delete(stored_image)
        return SaveResult("refused", solution, {"": str(error)}, version=error.version)
    except (ValidationFailed, InvalidTransition) as error:
        if stored_image:
            images.delete(stored_image)  # the save it belonged to did not happen
        key = getattr(error, "field", None) or ""
        return SaveResult("refused", solution, {key: str(error)})
    except BaseException:
        if stored_image:
            images.delete(stored_image)
        raise
    return SaveResult(outcome, solution)


def keep_editor_fields(data: dict[str, Any], state: EditorState) -> dict[str, Any]:
    """``data`` with the language and translations of ``state`` where it has none: the entry
    form does not carry the translations (their own pages edit them), so they stay as they are."""
    return {
        "language": state.data.get("language") or "en",
        "translations": state.data.get("translations", {}),
        **{k: v for k, v in data.items() if k != "language" or v},
    }


class Outdated(InvalidTransition):
    """The entry has a newer version than the one the form was opened on."""

    def __init__(self, message: str, version: int) -> None:
        super().__init__(message)
        self.version = version


def _newer(solution: Solution) -> str:
    return _(
        "Someone else (or you, in another window) saved this entry after you opened it, on "
        "%(date)s at %(time)s UTC. Nothing of yours was saved: your text is below. Open the "
        "saved version in another tab, compare, and save again to replace it with yours.",
        date=format_date(solution.updated_at),
        time=solution.updated_at.strftime("%H:%M"),
    )


@transactional
def _store(
    user: Any,
    solution: Solution | None,
    data: dict[str, Any],
    submit: bool,
    version: int | None,
    new_image: str | None,
) -> tuple[str, Solution]:
    """Write the save; the version and the kept image are checked again inside the write, where
    ``solution`` has been read afresh, so a save committed meanwhile is never overwritten."""
    if solution is not None:
        state = editor_state(user, solution)
        if version is not None and version != state.version:
            raise Outdated(_newer(solution), state.version)
        if data.get("image") and data["image"] != state.data.get("image"):
            data = {**data, "image": ""}
    else:
        state = editor_state(user, None)
    data = keep_editor_fields(data, state)
    if new_image:
        data = {**data, "image": new_image}
    if solution is None:
        return ("submitted" if submit else "saved"), create_entry(user, data, submit)
    if state.curator_mode:
        curation.curator_edit(user, solution, data)
        return "curator", solution
    return save_entry(user, solution, data, submit), solution


@transactional
def create_entry(user: Any, data: dict[str, Any], submit: bool = False) -> Solution:
    """A new entry of the user's city, saved as a draft or submitted for review.

    :raises PermissionDenied: the user publishes for no city.
    :raises ValidationFailed: the data breaks the draft (or, with ``submit``, the review) rules.
    """
    return _create(user, require_city(user), data, submit)


@transactional
def create_for_city(user: Any, city: Any, data: dict[str, Any], slug: str = "") -> Solution:
    """A new entry of ``city`` submitted for review by someone who imports for it (an import's
    row): the same rules and records as a city's own submission, but no mail per entry (the
    importer sees them all in the queue). ``slug`` is kept when it is free and well formed.

    :raises PermissionDenied: ``user`` may not import for ``city``.
    :raises ValidationFailed: the data breaks the review rules.
    """
    if not can_import_for_city(user, city):
        raise PermissionDenied(_("Your account may not import entries for this city."))
    return _create(user, city.id, data, True, slug=slug, notify=False)


def _create(
    user: Any,
    city_id: int,
    data: dict[str, Any],
    submit: bool,
    slug: str = "",
    notify: bool = True,
) -> Solution:
    refuse_if_problems(entries.problems(data, submit))
    if not slug or slugify(slug) != slug or _slug_taken(slug):
        slug = unique_slug(Solution, data["title"])
    solution = Solution(city_id=city_id, slug=slug)
    entries.apply(solution, data)
    db.session.add(solution)
    db.session.flush()
    record_created(solution, user)
    if submit:
        apply_transition(solution, Status.SUBMITTED, user)
        if notify:
            notices.submitted(solution)
    return solution


def _slug_taken(slug: str) -> bool:
    return db.session.scalar(db.select(Solution.id).where(Solution.slug == slug)) is not None


@transactional
def save_entry(
    user: Any,
    solution: Solution,
    data: dict[str, Any],
    submit: bool = False,
    notify: bool = True,
) -> str:
    """Save the author's edit; returns what happened: "saved", "submitted" or "revision".
    ``notify``: mail the curators of a submission (an import does not, entry by entry).

    Drafts and entries with changes requested are edited in place; until first published,
    the address (slug) follows the title. A published entry keeps its public version: the edit
    becomes its pending revision, which a curator approves.

    :raises PermissionDenied: another city's entry.
    :raises InvalidTransition: the entry waits for review, was rejected or is archived.
    :raises ValidationFailed: the data breaks the rules.
    """
    if not can_edit(user, solution):
        raise PermissionDenied(_("This entry belongs to another city."))
    refuse_if_problems(entries.problems(data, submit))
    if solution.status == Status.PUBLISHED:
        revision = solution.revision
        if revision is None:
            revision = SolutionRevision(solution_id=solution.id)
            db.session.add(revision)
        else:
            replaced = revision.data.get("image", "")
            images.delete_unreferenced_after_commit([replaced])
        revision.data = data
        revision.author_id = user.id
        revision.status = RevisionStatus.SUBMITTED if submit else RevisionStatus.DRAFT
        solution.updated_at = utc_now()  # a new version: a curator's open review is outdated
        if submit and notify:
            notices.submitted(solution, revision=True)
        return "revision"
    if solution.status not in EDITABLE:
        raise InvalidTransition(str(NOT_EDITABLE[solution.status]))
    if solution.published_at is None and data["title"] != solution.title:
        solution.slug = unique_slug(Solution, data["title"], solution.id)
    asked_for_changes = solution.status == Status.CHANGES_REQUESTED
    entries.apply(solution, data)
    db.session.flush()
    if submit:
        apply_transition(solution, Status.SUBMITTED, user)
        if notify:
            notices.submitted(solution, resubmitted=asked_for_changes)
    return "submitted" if submit else "saved"


def _require_author(user: Any, solution: Solution) -> None:
    """:raises PermissionDenied: unless ``user`` publishes for the entry's city (curators
    withdraw nothing and archive through the curators' rules, with a reason)."""
    if not can_author(user, solution):
        raise PermissionDenied(
            _(
                "Only the city's own publishers take this step; curators archive an entry from "
                "its review page, with a reason."
            )
        )


EDITABLE = (Status.DRAFT, Status.CHANGES_REQUESTED)
NOT_EDITABLE = {
    Status.SUBMITTED: _l("The entry waits for review: withdraw it to edit it again."),
    Status.REJECTED: _l("A rejected entry cannot be edited."),
    Status.ARCHIVED: _l("An archived entry cannot be edited; ask a curator to publish it again."),
}


@transactional
def withdraw(user: Any, solution: Solution) -> None:
    """Take a submission (or a submitted revision) back to draft, to keep editing it.

    :raises PermissionDenied: not a publisher of the entry's city.
    :raises InvalidTransition: nothing of this entry waits for review.
    """
    _require_author(user, solution)
    if solution.revision is not None and solution.revision.status == RevisionStatus.SUBMITTED:
        solution.revision.status = RevisionStatus.DRAFT
        solution.updated_at = utc_now()
        audit.record(user, "revision.withdrawn", solution=solution)
    else:
        apply_transition(solution, Status.DRAFT, user, "Withdrawn by the author.")


@transactional
def archive(user: Any, solution: Solution, reason: str = "") -> None:
    """Take the author's published entry off the public catalogue.

    :raises PermissionDenied: not a publisher of the entry's city.
    :raises InvalidTransition: the entry is not published.
    """
    _require_author(user, solution)
    apply_transition(solution, Status.ARCHIVED, user, reason or "Archived by the author.")
    entries.drop_revision(solution)


@transactional
def discard_revision(user: Any, solution: Solution) -> None:
    """Drop the pending edit of a published entry; the public version stays as it is."""
    _require_author(user, solution)
    if solution.revision is None:
        raise InvalidTransition(_("This entry has no pending changes."))
    entries.drop_revision(solution)
    solution.updated_at = utc_now()
    audit.record(user, "revision.discarded", solution=solution)


def history(solution: Solution) -> list[ModerationEvent]:
    """The entry's status changes, oldest first."""
    return list(
        db.session.scalars(
            db.select(ModerationEvent)
            .where(ModerationEvent.solution_id == solution.id)
            .order_by(ModerationEvent.created_at, ModerationEvent.id)
        )
    )


def possible_duplicates(data: dict[str, Any], exclude_id: int | None = None) -> list[Solution]:
    """Published entries whose title or summary reads like ``data``'s."""
    ids = search.duplicates(
        data.get("title", ""),
        data.get("summary", ""),
        exclude_id,
        language=data.get("language") or "en",
    )
    if not ids:
        return []
    rows = {
        s.id: s
        for s in db.session.scalars(
            db.select(Solution).where(Solution.id.in_(ids), Solution.status == Status.PUBLISHED)
        )
    }
    return [rows[i] for i in ids if i in rows]
