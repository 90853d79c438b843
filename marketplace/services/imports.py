"""The import of entries from files, whatever the format: a dry run (plan), then the import (apply).

Readers (import_csv.py, publiccode.py) hand over SourceRows in the CSV export's columns; here
each row is checked against the same rules as the entry form and becomes an action:

- ``create``: a new entry of the row's city, submitted for review (never published directly);
- ``update``: an existing entry whose data the row changes, saved as the city's own edit would
  be (a draft is changed and submitted, a published entry gets a pending revision to review);
- ``unchanged``: the row says what the entry already holds: nothing is touched;
- ``refused``: the row has problems, each listed; nothing of it is imported.

Which entry a row is: the entry with the row's slug (or whose old address it is), else the
entry of the row's city whose title reads the same (slugify: case, accents and punctuation
aside). A website is not an identity: a city's entries often share its portal's address.
Columns the export writes for readers only (url, dates, featured, used_by, translations'
language codes, the image) are not imported; the tracks column is checked against the
challenges, which imply the tracks.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..database import unit_of_work
from ..extensions import db
from ..models import SDG, Challenge, City, SlugRedirect, Solution, Track, TransversalService
from ..models.solution import TRANSLATABLE
from ..permissions import can_import, can_import_for_city
from ..vocab import FORM_LANGUAGES, LICENCES, Status, is_language
from . import audit, entries, publishing
from .entries import MARKDOWN_FIELDS, TEXT_FIELDS, split_translation_key
from .errors import DomainError, InvalidTransition, PermissionDenied
from .exports import LIST_SEPARATOR
from .import_rows import MAX_BYTES, SourceRow, UnreadableFile
from .slugs import slugify

log = logging.getLogger(__name__)

CREATE, UPDATE, UNCHANGED, REFUSED = "create", "update", "unchanged", "refused"
FAILED = "failed"  # a row the plan would import, whose import failed
ACTION_LABELS = {
    CREATE: _l("New entry"),
    UPDATE: _l("Update"),
    UNCHANGED: _l("Unchanged"),
    REFUSED: _l("Refused"),
}
# What became of each row, for the import's summary.
OUTCOME_LABELS = {
    CREATE: _l("Created"),
    UPDATE: _l("Updated"),
    UNCHANGED: _l("Unchanged"),
    REFUSED: _l("Refused"),
    FAILED: _l("Failed"),
}
# The export's columns an import reads into the entry's data (the rest are for readers only).
TEXT_COLUMNS = tuple(name for name in TEXT_FIELDS if name not in ("image", "image_alt"))
LIST_COLUMNS = ("languages", "challenges", "services", "sdgs")
UPDATABLE = (Status.DRAFT, Status.CHANGES_REQUESTED, Status.PUBLISHED)


@dataclass
class PlannedRow:
    """What the import will do with one row, and why not when it will not."""

    label: str
    title: str
    city: str  # the city's slug ("" when the row names none)
    action: str = REFUSED
    problems: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # the entry's data to save
    slug: str = ""  # the new entry's wanted address, or the existing entry's
    entry_id: int | None = None
    entry_version: int | None = None
    city_id: int | None = None

    def refuse(self, problem: str) -> None:
        self.problems.append(problem)


@dataclass
class ImportPlan:
    """The dry run of a file: one PlannedRow per row, in the file's order."""

    name: str
    rows: list[PlannedRow]

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(row.action for row in self.rows)
        return {action: found.get(action, 0) for action in ACTION_LABELS}

    @property
    def to_apply(self) -> int:
        return sum(row.action in (CREATE, UPDATE) for row in self.rows)

    def fingerprint(self) -> str:
        """The plan's actions row by row, so a second check can tell it would do the same."""
        return ",".join(f"{row.action[0]}{row.entry_id or ''}" for row in self.rows)


@dataclass
class RowOutcome:
    label: str
    title: str
    action: str  # CREATE / UPDATE done, UNCHANGED, REFUSED (by the plan), or "failed"
    slug: str = ""
    entry_id: int | None = None
    message: str = ""


@dataclass
class ImportSummary:
    name: str
    outcomes: list[RowOutcome]

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(outcome.action for outcome in self.outcomes)
        return {action: found.get(action, 0) for action in (*ACTION_LABELS, FAILED)}

    def line(self) -> str:
        """One sentence: what the import did."""
        counts = self.counts
        return _(
            "%(name)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(refused)d refused, %(failed)d failed.",
            name=self.name,
            created=counts[CREATE],
            updated=counts[UPDATE],
            unchanged=counts[UNCHANGED],
            refused=counts[REFUSED],
            failed=counts[FAILED],
        )


def read_bounded(stream: IO[bytes], limit: int = MAX_BYTES) -> bytes:
    """At most ``limit`` bytes of ``stream``, read in one go only once it is known to fit.

    :raises UnreadableFile: the stream holds more than ``limit`` bytes.
    """
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(too_large_message(limit))
    return data


def too_large_message(limit: int = MAX_BYTES) -> str:
    return _(
        "The file is larger than %(max)d MB: split it into smaller files.",
        max=limit // (1024 * 1024),
    )


# --- The dry run -----------------------------------------------------------------------------


class _Lookup:
    """The taxonomy and cities by slug, read once per plan."""

    def __init__(self) -> None:
        self.cities = {c.slug: c for c in db.session.scalars(select(City))}
        self.challenges = {c.slug: c for c in db.session.scalars(select(Challenge))}
        self.tracks = {t.slug: t for t in db.session.scalars(select(Track))}
        self.services = {s.slug: s for s in db.session.scalars(select(TransversalService))}
        self.sdgs = {str(s.number) for s in db.session.scalars(select(SDG))}
        self._titles: dict[int, dict[str, list[Solution]]] = {}

    def by_title(self, city_id: int, title: str) -> list[Solution]:
        if city_id not in self._titles:
            found: dict[str, list[Solution]] = {}
            for solution in db.session.scalars(
                select(Solution).where(Solution.city_id == city_id).order_by(Solution.id)
            ):
                found.setdefault(slugify(solution.title), []).append(solution)
            self._titles[city_id] = found
        return self._titles[city_id].get(slugify(title), [])


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def _column_max(name: str) -> int | None:
    return getattr(Solution.__table__.c[name].type, "length", None)


def _row_data(row: SourceRow, planned: PlannedRow, lookup: _Lookup) -> dict[str, Any]:
    """The entry data the row's columns give (only the columns the file has)."""
    fields = row.fields
    data: dict[str, Any] = {}
    for name in TEXT_COLUMNS:
        if name in fields:
            value = fields[name]
            if name in MARKDOWN_FIELDS:  # a spreadsheet's line breaks are \r\n
                value = value.replace("\r\n", "\n").replace("\r", "\n")
            data[name] = value.strip()
    if "language" in fields and fields["language"].strip():
        data["language"] = fields["language"].strip()
    if "languages" in fields:
        data["languages"] = _split(fields["languages"])
        for code in data["languages"]:
            # An entry may list languages the form does not offer (entries.ordered_languages).
            if code not in FORM_LANGUAGES and not is_language(code):
                planned.refuse(_("languages: %(code)s is no language code.", code=code))
    for column, known in (("challenges", lookup.challenges), ("services", lookup.services)):
        if column in fields:
            data[column] = _split(fields[column])
            for slug in data[column]:
                if slug not in known:
                    planned.refuse(_("%(column)s: there is no %(slug)s.", column=column, slug=slug))
    if "sdgs" in fields:
        data["sdgs"] = _split(fields["sdgs"])
        for number in data["sdgs"]:
            if number not in lookup.sdgs:
                planned.refuse(_("sdgs: %(number)s is no SDG number.", number=number))
        data["sdgs"] = [int(n) for n in data["sdgs"] if n in lookup.sdgs]
    if "tracks" in fields:
        implied = {
            lookup.challenges[slug].track.slug
            for slug in data.get("challenges", [])
            if slug in lookup.challenges
        }
        for slug in _split(fields["tracks"]):
            if slug not in lookup.tracks:
                planned.refuse(_("tracks: there is no %(slug)s.", slug=slug))
            elif "challenges" in fields and slug not in implied:
                planned.refuse(
                    _(
                        "tracks: %(slug)s follows from the challenges, and none of them is "
                        "one of its challenges.",
                        slug=slug,
                    )
                )
    for name in TEXT_COLUMNS:
        limit = _column_max(name)
        if limit and len(data.get(name, "")) > limit:
            planned.refuse(_("%(column)s: keep it to %(max)d characters.", column=name, max=limit))
    licence = data.get("licence", "")
    if licence and licence not in LICENCES:
        planned.refuse(
            _(
                "licence: %(licence)s is not one of the licences offered (%(known)s).",
                licence=licence[:40],
                known=", ".join(LICENCES),
            )
        )
    return data


def _translations(row: SourceRow) -> dict[str, dict[str, str]]:
    return {
        code: {name: (values.get(name) or "").strip() for name in TRANSLATABLE}
        for code, values in row.translations.items()
    }


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as saving it would store it: lists in the stored order, text trimmed."""
    seen: dict[str, Any] = {}
    for name, value in data.items():
        if name in ("challenges", "services", "sdgs"):
            seen[name] = sorted(str(v) for v in value)
        elif name == "languages":
            seen[name] = entries.ordered_languages(list(value))
        elif isinstance(value, str):
            seen[name] = value.strip()
        else:
            seen[name] = value
    return seen


def _by_slug(slug: str) -> Solution | None:
    """The entry with this slug, or whose old address it is."""
    if not slug:
        return None
    found = db.session.scalar(select(Solution).where(Solution.slug == slug))
    if found is None:
        found = db.session.scalar(
            select(Solution)
            .join(SlugRedirect, SlugRedirect.target_id == Solution.id)
            .where(SlugRedirect.kind == "solution", SlugRedirect.old_slug == slug)
        )
    return found


def _by_title(row: SourceRow, city: City | None, lookup: _Lookup) -> list[Solution]:
    title = row.fields.get("title", "")
    if city is None or not title.strip():
        return []
    return lookup.by_title(city.id, title)


def _problems(found: dict[str, str]) -> list[str]:
    """The entry rules' problems (field -> message) as sentences naming the column."""
    said = []
    for key, message in found.items():
        parts = split_translation_key(key)
        where = key
        if parts:
            where = _("translation %(code)s, %(field)s", code=parts[0], field=parts[1])
        said.append(f"{where}: {message}" if where else str(message))
    return said


def _without_nul(row: SourceRow) -> tuple[SourceRow, list[str]]:
    """The row with NUL characters taken out of its cells (no lookup ever sees one: PostgreSQL
    refuses them in a query), and a problem for each cell that had one."""
    problems = [
        _("%(column)s: remove the invisible control characters from this text.", column=name)
        for name, value in row.fields.items()
        if "\x00" in value
    ]
    if not problems:
        return row, []
    fields = {name: value.replace("\x00", "") for name, value in row.fields.items()}
    return SourceRow(row.label, fields, row.translations, row.problems), problems


def _plan_row(row: SourceRow, actor: Any, default_city: City | None, lookup: _Lookup) -> PlannedRow:
    row, nul_problems = _without_nul(row)
    city_slug = row.fields.get("city", "").strip()
    by_slug = _by_slug(row.fields.get("slug", "").strip())
    city = lookup.cities.get(city_slug) if city_slug else default_city
    if not city_slug and by_slug is not None:
        city = by_slug.city  # a row of an existing entry needs no city column
    title = row.fields.get("title", "").strip()
    planned = PlannedRow(row.label, title, city.slug if city else city_slug)
    planned.problems.extend([*row.problems, *nul_problems])
    if city is None:
        planned.refuse(
            _("city: there is no city %(slug)s.", slug=city_slug)
            if city_slug
            else _("city: name the entry's city (its slug), or choose one for the whole file.")
        )
    elif not can_import_for_city(actor, city):
        planned.refuse(_("Your account may not import entries for %(city)s.", city=city.name))
    else:
        planned.city_id = city.id
    row_data = _row_data(row, planned, lookup)
    if row.translations:
        row_data["translations"] = _translations(row)
    matches = [by_slug] if by_slug is not None else _by_title(row, city, lookup)
    if len(matches) > 1:
        planned.refuse(
            _(
                "%(city)s has several entries with this title: give the slug of the one to update.",
                city=city.name if city else city_slug,
            )
        )
        return planned
    if matches:
        _plan_update(planned, matches[0], row_data, city)
    else:
        _plan_create(planned, row, row_data)
    _refuse_retired(planned, lookup, matches[0] if matches else None)
    if planned.problems:
        planned.action = REFUSED
    return planned


def _refuse_retired(planned: PlannedRow, lookup: _Lookup, solution: Solution | None) -> None:
    """A retired challenge or service stays on the entries that have it, but is not given anew."""
    for column, known in (("challenges", lookup.challenges), ("services", lookup.services)):
        had = {term.slug for term in getattr(solution, column)} if solution is not None else set()
        for slug in planned.data.get(column, []):
            if slug in known and known[slug].retired and slug not in had:
                planned.refuse(
                    _("%(column)s: %(slug)s is no longer offered.", column=column, slug=slug)
                )
    if planned.problems:
        planned.action = REFUSED


def _plan_create(planned: PlannedRow, row: SourceRow, row_data: dict[str, Any]) -> None:
    data: dict[str, Any] = {
        **dict.fromkeys(TEXT_FIELDS, ""),
        "contact_public": True,
        "language": "en",
        "translations": {},
        "languages": [],
        "challenges": [],
        "services": [],
        "sdgs": [],
        **row_data,
    }
    planned.problems.extend(_problems(entries.problems(data, submit=True)))
    if not planned.problems:
        for similar in publishing.possible_duplicates(data):
            planned.refuse(
                _(
                    "It reads like the published entry %(slug)s (“%(title)s”): to update that "
                    "entry, give its slug in the slug column.",
                    slug=similar.slug,
                    title=similar.title,
                )
            )
    planned.data = data
    planned.slug = row.fields.get("slug", "").strip()
    planned.action = CREATE


def _plan_update(
    planned: PlannedRow, solution: Solution, row_data: dict[str, Any], city: City | None
) -> None:
    planned.entry_id, planned.entry_version, planned.slug = (
        solution.id,
        solution.version,
        solution.slug,
    )
    if city is not None and solution.city_id != city.id:
        planned.refuse(
            _(
                "The entry %(slug)s belongs to %(city)s: an import does not move entries "
                "between cities.",
                slug=solution.slug,
                city=solution.city.name,
            )
        )
        return
    current = entries.revision_data(solution) if solution.revision else entries.snapshot(solution)
    data = {**current, **row_data}
    if "translations" in row_data:
        data["translations"] = {**current.get("translations", {}), **row_data["translations"]}
    if not solution.contact_public:  # the export leaves a hidden contact out: keep it
        for name in ("contact_name", "contact_email"):
            if not data.get(name):
                data[name] = current.get(name, "")
    if _comparable(data) == _comparable(current):
        planned.action = UNCHANGED
        return
    if solution.status not in UPDATABLE:
        planned.refuse(
            _(
                "The entry %(slug)s cannot be updated now: %(reason)s",
                slug=solution.slug,
                reason=publishing.NOT_EDITABLE[solution.status],
            )
        )
        return
    planned.problems.extend(_problems(entries.problems(data, submit=True)))
    planned.data = data
    planned.action = UPDATE


def given_challenges(rows: list[SourceRow], challenges: list[str]) -> list[SourceRow]:
    """``rows`` with ``challenges`` (slugs) as the challenges of those that name none.

    A publiccode.yml names no challenge of ours (and a spreadsheet may leave the column empty),
    while an entry submitted for review needs one: the person importing says which, on the page
    or with ``--challenge`` (the plan checks that they exist).
    """
    if challenges:
        for row in rows:
            if row.fields and not row.fields.get("challenges", "").strip():
                row.fields["challenges"] = LIST_SEPARATOR.join(challenges)
    return rows


def plan(
    rows: Iterable[SourceRow], actor: Any, default_city: City | None = None, name: str = ""
) -> ImportPlan:
    """The dry run of ``rows``: per row what the import would do, and every problem.

    Reads only. ``default_city`` is the city of rows that name none.

    :raises PermissionDenied: ``actor`` may not import.
    """
    require_importer(actor)
    lookup = _Lookup()
    planned_rows: list[PlannedRow] = []
    seen: dict[tuple[Any, ...], str] = {}
    for row in rows:
        planned = _plan_row(row, actor, default_city, lookup)
        key = (
            ("entry", planned.entry_id)
            if planned.entry_id is not None
            else ("new", planned.city, slugify(planned.title))
        )
        if key in seen:
            planned.problems.append(
                _("The same entry as %(label)s: keep one of the two rows.", label=seen[key])
            )
            planned.action = REFUSED
        else:
            seen[key] = planned.label
        planned_rows.append(planned)
    return ImportPlan(name, planned_rows)


def require_importer(actor: Any) -> None:
    """:raises PermissionDenied: unless ``actor`` may import."""
    if not can_import(actor):
        raise PermissionDenied(_("Only curators import entries from files."))


# --- The import ------------------------------------------------------------------------------


def _apply_row(planned: PlannedRow, actor: Any) -> Solution:
    """One row in one unit of work: all of it is saved, or nothing."""
    with unit_of_work():
        if planned.action == CREATE:
            city = db.session.get(City, planned.city_id)
            solution = publishing.create_for_city(actor, city, planned.data, slug=planned.slug)
            audit.record(actor, "entry.imported", solution=solution)
            return solution
        solution = db.session.get(Solution, planned.entry_id)
        if solution is None or solution.version != planned.entry_version:
            raise InvalidTransition(_("The entry changed since the check: check the file again."))
        publishing.save_entry(actor, solution, planned.data, submit=True, notify=False)
        audit.record(actor, "entry.import_updated", solution=solution)
        return solution


def apply(
    import_plan: ImportPlan,
    actor: Any,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import what ``import_plan`` found to create or update, one transaction per row: a row
    that fails now rolls back alone and is reported; unchanged and refused rows touch nothing.
    ``progress`` is called with 1 after each row.

    :raises PermissionDenied: ``actor`` may not import.
    """
    require_importer(actor)
    outcomes = []
    for planned in import_plan.rows:
        outcome = RowOutcome(planned.label, planned.title, planned.action, planned.slug)
        outcome.entry_id = planned.entry_id
        if planned.action in (CREATE, UPDATE):
            try:
                solution = _apply_row(planned, actor)
            except DomainError as error:
                outcome.action, outcome.message = FAILED, str(error)
            except SQLAlchemyError:
                log.exception("import of %s failed", planned.label)
                outcome.action = FAILED
                outcome.message = _("The database refused this row; nothing of it was saved.")
            else:
                outcome.slug, outcome.entry_id = solution.slug, solution.id
        elif planned.action == REFUSED:
            outcome.message = " ".join(planned.problems)
        outcomes.append(outcome)
        if progress is not None:
            progress(1)
    return ImportSummary(import_plan.name, outcomes)


def check(
    reader: Callable[[str, bytes], list[SourceRow]],
    name: str,
    data: bytes,
    actor: Any,
    default_city: City | None = None,
) -> ImportPlan:
    """Read the file with ``reader`` and plan its import.

    :raises UnreadableFile: the reader refused the file.
    :raises PermissionDenied: ``actor`` may not import.
    """
    require_importer(actor)
    return plan(reader(name, data), actor, default_city, name)


def city_by_slug(slug: str) -> City | None:
    return db.session.scalar(select(City).where(City.slug == slug)) if slug else None
