"""Curators' work on the taxonomy: create, rename, reorder, retire and restore terms, and edit
the words people use for them.

A term is a track, a challenge or a transversal service. Slugs never change once made, so
public addresses and saved searches keep working after a rename; a retired term stays on the
entries that have it but is no longer offered for new ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..database import transactional
from ..extensions import db
from ..models import Challenge, Track, TransversalService
from ..models.solution import solution_challenge, solution_service
from ..permissions import can_manage_taxonomy
from . import audit, phrases, term_languages
from .errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from .slugs import unique_slug

Term = Track | Challenge | TransversalService
Direction = Literal["up", "down"]

NAME_MAX = 200
# An ICC edition as years: "2020-22", "2024" or "2023-2025".
EDITION = re.compile(r"\d{4}(-\d{2}|-\d{4})?")
# The kinds of term as they appear in addresses, and what the (English) audit log calls one.
KINDS: dict[str, tuple[type[Any], str]] = {
    "tracks": (Track, "track"),
    "challenges": (Challenge, "challenge"),
    "services": (TransversalService, "transversal service"),
}


def require_taxonomy_manager(user: Any) -> None:
    """:raises PermissionDenied: unless ``user`` is a curator or an administrator."""
    if not can_manage_taxonomy(user):
        raise PermissionDenied(_("Only curators and administrators manage the taxonomy."))


def kind_of(term_or_model: Term | type[Any]) -> str:
    """The kind of a term or of a model, as addresses name it ("challenges")."""
    model = term_or_model if isinstance(term_or_model, type) else type(term_or_model)
    return next(kind for kind, (m, _label) in KINDS.items() if m is model)


def describe(term: Term) -> str:
    """How the audit log names a term: "challenge Retrofitting buildings"."""
    for model, label in KINDS.values():
        if isinstance(term, model):
            return f"{label} {term.name}"
    raise TypeError(term)


@dataclass(frozen=True)
class Overview:
    """Every term, retired ones included, in the order the public sees them."""

    tracks: list[Track]  # newest edition first, each with its challenges
    services: list[TransversalService]
    challenge_uses: dict[int, int]  # entries of any status per challenge id
    service_uses: dict[int, int]  # entries of any status per service id
    phrases: dict[tuple[str, int], list[str]]  # English phrases per (kind, term id)

    def phrases_of(self, term: Term) -> list[str]:
        return self.phrases.get((phrases.kind_of(term), term.id), [])

    def challenges_of(self, track: Track) -> list[Challenge]:
        """The track's challenges in the order moving them follows."""
        return sorted(track.challenges, key=lambda c: (c.position, c.name, c.id))

    @property
    def editions(self) -> list[tuple[str, list[Track]]]:
        grouped: dict[str, list[Track]] = {}
        for track in self.tracks:
            grouped.setdefault(track.edition, []).append(track)
        return list(grouped.items())


def _order(model: type[Any]) -> tuple[Any, ...]:
    return (model.position, model.name, model.id)


def overview(user: Any) -> Overview:
    """:raises PermissionDenied: see require_taxonomy_manager."""
    require_taxonomy_manager(user)
    tracks = list(
        db.session.scalars(
            select(Track)
            .options(selectinload(Track.challenges))
            .order_by(Track.edition.desc(), *_order(Track))
        )
    )
    services = list(
        db.session.scalars(select(TransversalService).order_by(*_order(TransversalService)))
    )
    return Overview(
        tracks=tracks,
        services=services,
        challenge_uses=_uses(solution_challenge.c.challenge_id),
        service_uses=_uses(solution_service.c.service_id),
        phrases=phrases.by_term(),
    )


def _uses(column: Any) -> dict[int, int]:
    return dict(db.session.execute(select(column, func.count()).group_by(column)).all())


def get_term(kind: str, slug: str) -> Term:
    """:raises NotFound: an unknown kind, or no term of that kind with this slug."""
    if kind not in KINDS:
        raise NotFound(_("There is no such part of the taxonomy."))
    model = KINDS[kind][0]
    term = db.session.scalar(select(model).where(model.slug == slug))
    if term is None:
        raise NotFound(
            {
                "tracks": _("There is no track at this address."),
                "challenges": _("There is no challenge at this address."),
                "services": _("There is no transversal service at this address."),
            }[kind]
        )
    return term


def tracks_offered() -> list[Track]:
    """Tracks a new challenge can join (not retired), newest edition first."""
    return list(
        db.session.scalars(
            select(Track)
            .where(Track.retired.is_(False))
            .order_by(Track.edition.desc(), *_order(Track))
        )
    )


def retired_choices_kept(
    challenge_slugs: list[str], service_slugs: list[str]
) -> tuple[list[tuple[Track, list[Challenge]]], list[TransversalService]]:
    """Chosen challenges of retired tracks (grouped by track) and chosen retired services.

    The entry form offers only current terms; these keep an older entry's retired values.
    """
    groups: list[tuple[Track, list[Challenge]]] = []
    if challenge_slugs:
        challenges = db.session.scalars(
            select(Challenge)
            .join(Challenge.track)
            .where(Track.retired.is_(True), Challenge.slug.in_(challenge_slugs))
            .order_by(Track.edition.desc(), *_order(Track), *_order(Challenge))
        )
        for challenge in challenges:
            if not groups or groups[-1][0] is not challenge.track:
                groups.append((challenge.track, []))
            groups[-1][1].append(challenge)
    services: list[TransversalService] = []
    if service_slugs:
        services = list(
            db.session.scalars(
                select(TransversalService)
                .where(
                    TransversalService.retired.is_(True),
                    TransversalService.slug.in_(service_slugs),
                )
                .order_by(*_order(TransversalService))
            )
        )
    return groups, services


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ValidationFailed(_("Give a name."), "name")
    if len(cleaned) > NAME_MAX:
        raise ValidationFailed(_("Keep the name to %(max)d characters.", max=NAME_MAX), "name")
    return cleaned


def _clean_edition(edition: str) -> str:
    cleaned = (edition or "").strip()
    if not EDITION.fullmatch(cleaned):
        raise ValidationFailed(
            _("Write the ICC edition as years, such as 2020-22 or 2024."), "edition"
        )
    return cleaned


def _scope(model: type[Any], edition: str = "", track_id: int | None = None) -> list[Any]:
    """Conditions selecting the terms one is ordered among and named apart from: the tracks of
    an edition, the challenges of a track, every service."""
    if model is Track:
        return [Track.edition == edition]
    if model is Challenge:
        return [Challenge.track_id == track_id]
    return []


def _siblings(term: Term) -> list[Term]:
    model = type(term)
    scope = _scope(model, getattr(term, "edition", ""), getattr(term, "track_id", None))
    return list(db.session.scalars(select(model).where(*scope).order_by(*_order(model))))


def _check_name_free(model: type[Any], scope: list[Any], name: str, term_id: int | None) -> None:
    """:raises ValidationFailed: another term in ``scope`` has this name (in any letter case)."""
    query = select(model.name).where(*scope)
    if term_id is not None:
        query = query.where(model.id != term_id)
    # Compared here, not in SQL: SQLite's lower() leaves letters beyond ASCII as they are.
    taken = next((n for n in db.session.scalars(query) if n.casefold() == name.casefold()), None)
    if taken is not None:
        message = {
            "tracks": _("There is a track called “%(name)s” there already.", name=taken),
            "challenges": _("There is a challenge called “%(name)s” there already.", name=taken),
            "services": _(
                "There is a transversal service called “%(name)s” there already.", name=taken
            ),
        }[kind_of(model)]
        raise ValidationFailed(message, "name")


def _next_position(model: type[Any], scope: list[Any]) -> int:
    last = db.session.scalar(select(func.max(model.position)).where(*scope))
    return 0 if last is None else last + 1


def _add(
    user: Any, model: type[Any], scope: list[Any], detail: str, words: list[str], **values: Any
) -> Any:
    """Make a checked new term with a slug, the last place among its siblings and its phrases;
    log it."""
    term = model(
        slug=unique_slug(model, values["name"]),
        position=_next_position(model, scope),
        **values,
    )
    db.session.add(term)
    audit.record(user, "taxonomy.created", describe(term), detail)
    db.session.flush()
    phrases.bump_revision()  # search learns the new name
    if words:
        _save_phrases(user, term, words)
    return term


def _save_phrases(user: Any, term: Term, words: list[str]) -> bool:
    """Make ``words`` (cleaned) the term's English list; log what changed."""
    result = phrases.replace(term, words)
    if not result.changed:
        return False
    changes = [
        f"{label}: {', '.join(items)}"
        for label, items in (("added", result.added), ("removed", result.removed))
        if items
    ]
    audit.record(user, "taxonomy.phrases", describe(term), "; ".join(changes) or "reordered")
    return True


@transactional
def create_track(
    user: Any, name: str, edition: str, description: str = "", words: str = ""
) -> Track:
    """``words``: the words people use for it, one phrase a line.

    :raises PermissionDenied: not a curator.
    :raises ValidationFailed: a bad name, edition or phrase, or a track of that edition with
        that name.
    """
    require_taxonomy_manager(user)
    name, edition = _clean_name(name), _clean_edition(edition)
    cleaned = phrases.clean(words)
    scope = _scope(Track, edition=edition)
    _check_name_free(Track, scope, name, None)
    return _add(
        user,
        Track,
        scope,
        f"edition {edition}",
        cleaned,
        name=name,
        edition=edition,
        description=description.strip(),
    )


@transactional
def create_challenge(user: Any, name: str, track_slug: str, words: str = "") -> Challenge:
    """``words``: the words people use for it, one phrase a line.

    :raises PermissionDenied: not a curator.
    :raises ValidationFailed: a bad name or phrase, no current track with ``track_slug``, or a
        challenge of that track with that name.
    """
    require_taxonomy_manager(user)
    name = _clean_name(name)
    cleaned = phrases.clean(words)
    track = db.session.scalar(select(Track).where(Track.slug == (track_slug or "")))
    if track is None:
        raise ValidationFailed(_("Choose the track the challenge belongs to."), "track")
    if track.retired:
        raise ValidationFailed(
            _(
                "The track %(name)s is retired: restore it before adding challenges.",
                name=track.name,
            ),
            "track",
        )
    scope = _scope(Challenge, track_id=track.id)
    _check_name_free(Challenge, scope, name, None)
    return _add(user, Challenge, scope, f"in {track.name}", cleaned, name=name, track=track)


@transactional
def create_service(
    user: Any, name: str, description: str = "", words: str = ""
) -> TransversalService:
    """``words``: the words people use for it, one phrase a line.

    :raises PermissionDenied: not a curator.
    :raises ValidationFailed: a bad name or phrase, or a service with that name.
    """
    require_taxonomy_manager(user)
    name = _clean_name(name)
    cleaned = phrases.clean(words)
    _check_name_free(TransversalService, [], name, None)
    return _add(
        user, TransversalService, [], "", cleaned, name=name, description=description.strip()
    )


@transactional
def rename(user: Any, kind: str, slug: str, name: str, edition: str | None = None) -> bool:
    """Give a term a new name (and a track another edition); its slug stays.

    The search outbox carries the rename to every entry that has the term. Returns whether
    anything changed.

    :raises PermissionDenied: not a curator. :raises NotFound: see get_term.
    :raises ValidationFailed: a bad name or edition, or a sibling with the same name.
    """
    require_taxonomy_manager(user)
    term = get_term(kind, slug)
    model = type(term)
    name = _clean_name(name)
    new_edition = _clean_edition(edition) if isinstance(term, Track) and edition is not None else ""
    changes = []
    if name != term.name:
        changes.append(f"{term.name} -> {name}")
    if new_edition and new_edition != term.edition:
        changes.append(f"edition {term.edition} -> {new_edition}")
    if not changes:
        return False
    scope = _scope(
        model, new_edition or getattr(term, "edition", ""), getattr(term, "track_id", None)
    )
    _check_name_free(model, scope, name, term.id)
    if new_edition and new_edition != term.edition:
        term.position = _next_position(Track, scope)  # last of its new edition
        term.edition = new_edition
    term.name = name
    audit.record(user, "taxonomy.renamed", describe(term), "; ".join(changes))
    phrases.bump_revision()  # search matches terms by their names too
    return True


@dataclass(frozen=True)
class Saved:
    """What ``save`` changed."""

    renamed: bool
    phrases: bool
    translations: bool = False


@transactional
def save(
    user: Any,
    kind: str,
    slug: str,
    name: str,
    edition: str | None,
    words: str | None,
    in_languages: list[term_languages.InLanguage] | None = None,
) -> Saved:
    """The edit page: rename (see ``rename``) and, unless ``words`` is None, make it the term's
    English phrases (one a line); ``in_languages`` sets its names and phrases in the other
    interface languages. One transaction: a refused phrase saves nothing.

    :raises PermissionDenied: not a curator. :raises NotFound: see get_term.
    :raises ValidationFailed: see ``rename`` and ``phrases.clean`` (field "phrases").
    """
    require_taxonomy_manager(user)
    cleaned = phrases.clean(words) if words is not None else None
    renamed = rename(user, kind, slug, name, edition)
    changed = cleaned is not None and _save_phrases(user, get_term(kind, slug), cleaned)
    translated = bool(in_languages) and term_languages.save(
        user, get_term(kind, slug), in_languages
    )
    return Saved(renamed=renamed, phrases=changed, translations=translated)


@transactional
def move(user: Any, kind: str, slug: str, direction: Direction) -> Term:
    """Swap a term with its neighbour above or below (challenges within their track).

    :raises PermissionDenied: not a curator. :raises NotFound: see get_term.
    :raises ValidationFailed: an unknown direction, or nothing to swap with.
    """
    require_taxonomy_manager(user)
    if direction not in ("up", "down"):
        raise ValidationFailed(_("Choose to move it up or down."))
    term = get_term(kind, slug)
    siblings = _siblings(term)
    here = siblings.index(term)
    there = here - 1 if direction == "up" else here + 1
    if not 0 <= there < len(siblings):
        if direction == "up":
            raise ValidationFailed(_("“%(name)s” is first already.", name=term.name))
        raise ValidationFailed(_("“%(name)s” is last already.", name=term.name))
    siblings[here], siblings[there] = siblings[there], siblings[here]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    where = f" in {term.track.name}" if isinstance(term, Challenge) else ""
    audit.record(
        user,
        "taxonomy.reordered",
        describe(term),
        f"moved {direction}{where}: now {there + 1} of {len(siblings)}",
    )
    return term


def _entries_with(term: Term) -> int:
    if isinstance(term, Challenge):
        column = solution_challenge.c.challenge_id
    elif isinstance(term, TransversalService):
        column = solution_service.c.service_id
    else:
        return int(
            db.session.scalar(
                select(func.count(func.distinct(solution_challenge.c.solution_id)))
                .join(Challenge, Challenge.id == solution_challenge.c.challenge_id)
                .where(Challenge.track_id == term.id)
            )
            or 0
        )
    return int(db.session.scalar(select(func.count()).where(column == term.id)) or 0)


def _already(term: Term, retired: bool) -> str:
    name = term.name
    if retired:
        return {
            "tracks": _("The track %(name)s is retired already.", name=name),
            "challenges": _("The challenge %(name)s is retired already.", name=name),
            "services": _("The transversal service %(name)s is retired already.", name=name),
        }[kind_of(term)]
    return {
        "tracks": _("The track %(name)s is offered already.", name=name),
        "challenges": _("The challenge %(name)s is offered already.", name=name),
        "services": _("The transversal service %(name)s is offered already.", name=name),
    }[kind_of(term)]


@transactional
def set_retired(user: Any, kind: str, slug: str, retired: bool) -> Term:
    """Retire a term (kept on entries, not offered for new ones) or offer it again.

    :raises PermissionDenied: not a curator. :raises NotFound: see get_term.
    :raises InvalidTransition: the term is retired (or current) already.
    """
    require_taxonomy_manager(user)
    term = get_term(kind, slug)
    if term.retired == retired:
        raise InvalidTransition(_already(term, retired))
    term.retired = retired
    phrases.bump_revision()  # search stops (or starts again) matching it
    uses = _entries_with(term)
    if retired:
        detail = f"kept on {uses} entr{'y' if uses == 1 else 'ies'}, not offered for new ones"
    else:
        detail = f"offered again; on {uses} entr{'y' if uses == 1 else 'ies'}"
    audit.record(
        user, "taxonomy.retired" if retired else "taxonomy.restored", describe(term), detail
    )
    return term
