"""Open data records of the published catalogue: plain dicts for the API, exports and dumps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import mail, markup
from ..extensions import db
from ..models import (
    SDG,
    Adoption,
    Challenge,
    City,
    ModerationEvent,
    Solution,
    Track,
    TransversalService,
)
from ..models.outbox import SearchChange
from ..models.solution import TRANSLATABLE
from ..vocab import Status
from . import catalogue, cities, redirects, taxonomy
from .errors import NotFound

# The Markdown fields of an entry: each record carries the source and the rendered HTML.
MARKDOWN = ("description", "impact", "lessons")
# Last-Modified of an empty catalogue.
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def absolute_url(endpoint: str, **values: Any) -> str:
    """The address of a route on the configured base URL (a path prefix in it is kept), whatever
    the request's Host header, and outside requests (exports, dumps)."""
    return mail.link(endpoint, **values)  # the one place that builds absolute addresses


def iso(value: datetime | None) -> str | None:
    """An ISO 8601 timestamp in UTC (``2025-01-01T00:00:00Z``), or None."""
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def label(term: Any, language: str) -> str:
    """A term's name in ``language`` (the curated label), else its English name."""
    return (getattr(term, "labels", None) or {}).get(language) or term.name


def _description(term: Any, language: str) -> str:
    return (getattr(term, "descriptions", None) or {}).get(language) or term.description


# --- Taxonomy --------------------------------------------------------------------------------


def challenge_ref(challenge: Challenge, language: str) -> dict:
    return {
        "slug": challenge.slug,
        "name": challenge.name,
        "label": label(challenge, language),
        "track": challenge.track.slug,
        "url": absolute_url("taxonomy.challenge", slug=challenge.slug),
    }


def track_ref(track: Track, language: str) -> dict:
    return {
        "slug": track.slug,
        "name": track.name,
        "label": label(track, language),
        "edition": track.edition,
        "url": absolute_url("taxonomy.track", slug=track.slug),
    }


def service_ref(service: TransversalService, language: str) -> dict:
    return {
        "slug": service.slug,
        "name": service.name,
        "label": label(service, language),
        "url": absolute_url("taxonomy.service", slug=service.slug),
    }


def sdg_ref(sdg: SDG, language: str) -> dict:
    return {
        "number": sdg.number,
        "name": sdg.name,
        "label": label(sdg, language),
        "url": absolute_url("taxonomy.sdg", number=sdg.number),
    }


def tracks(language: str) -> list[dict]:
    """Every track still offered, with its challenges and published entry counts."""
    track_counts = taxonomy.published_counts_by_track()
    challenge_counts = taxonomy.published_counts_by_challenge()
    return [
        {
            **track_ref(track, language),
            "description": _description(track, language),
            "published_solutions": track_counts.get(track.id, 0),
            "challenges": [
                {
                    **challenge_ref(challenge, language),
                    "published_solutions": challenge_counts.get(challenge.id, 0),
                }
                for challenge in track.challenges
                if not challenge.retired
            ],
        }
        for track in taxonomy.tracks()
    ]


def challenges(language: str) -> list[dict]:
    """Every challenge still offered, in track order, with its published entry counts."""
    counts = taxonomy.published_counts_by_challenge()
    return [
        {**challenge_ref(challenge, language), "published_solutions": counts.get(challenge.id, 0)}
        for track in taxonomy.tracks()
        for challenge in track.challenges
        if not challenge.retired
    ]


def services(language: str) -> list[dict]:
    counts = taxonomy.published_counts_by_service()
    return [
        {
            **service_ref(service, language),
            "description": _description(service, language),
            "published_solutions": counts.get(service.id, 0),
        }
        for service in taxonomy.services()
    ]


def sdgs(language: str) -> list[dict]:
    counts = taxonomy.published_counts_by_sdg()
    return [
        {**sdg_ref(sdg, language), "published_solutions": counts.get(sdg.number, 0)}
        for sdg in taxonomy.sdgs()
    ]


# --- Cities ----------------------------------------------------------------------------------


def city_ref(city: City) -> dict:
    return {
        "slug": city.slug,
        "name": city.name,
        "country": city.country,
        "url": absolute_url("cities.detail", slug=city.slug),
        "api_url": absolute_url("api.city", slug=city.slug),
    }


def cities_list() -> list[dict]:
    """Every city, alphabetically, with its number of published entries."""
    return [
        {**city_ref(city), "role": city.role, "published_solutions": count}
        for city, count in cities.cities_with_counts()
    ]


def solution_ref(solution: Solution) -> dict:
    """An entry as other records point at it (its original title, as its city wrote it)."""
    return {
        "slug": solution.slug,
        "title": solution.title,
        "language": solution.language,
        "url": absolute_url("catalogue.detail", slug=solution.slug),
        "api_url": absolute_url("api.solution", slug=solution.slug),
    }


def city(slug: str) -> dict:
    """A city's profile, its published entries and the published entries it adopted.

    :raises NotFound: when there is no such city.
    """
    found = cities.get_city(slug)
    own = list(db.session.scalars(catalogue.published_for_city(found)))
    return {
        **city_ref(found),
        "role": found.role,
        "population": found.population,
        "website": found.website or None,
        "profile": found.profile,
        "profile_html": str(markup.render_markdown(found.profile)),
        "sample": found.sample,
        "created_at": iso(found.created_at),
        "solutions": [solution_ref(solution) for solution in own],
        "adopted": [solution_ref(solution) for solution in catalogue.adopted_by_city(found)],
    }


# --- Entries ---------------------------------------------------------------------------------


def _texts(source: Any, html: bool = True) -> dict:
    """The TRANSLATABLE fields of an entry or translation; Markdown ones also rendered (unless
    ``html`` is false)."""
    texts: dict[str, Any] = {name: getattr(source, name) or "" for name in TRANSLATABLE}
    for name in MARKDOWN if html else ():
        texts[f"{name}_html"] = str(markup.render_markdown(texts[name]))
    return texts


# What ``solution_record`` reads besides the entry's own row, loaded with it.
RECORD_OPTIONS = (
    *catalogue.LIST_OPTIONS,
    selectinload(Solution.services),
    selectinload(Solution.sdgs),
    selectinload(Solution.adoptions).selectinload(Adoption.city),
)


def _published(slug: str) -> Solution:
    solution = db.session.scalar(
        select(Solution)
        .where(Solution.slug == slug, Solution.status == Status.PUBLISHED)
        .options(*RECORD_OPTIONS)
    )
    if solution is None:
        redirects.raise_if_moved("solution", slug)  # renamed, or merged into another entry
        raise NotFound("There is no published entry at this address.")
    return solution


def solution(slug: str, language: str) -> dict:
    """The whole published record of an entry; taxonomy labels in ``language``.

    :raises Moved: the entry's address changed (the page's endpoint, as the site's pages).
    :raises NotFound: when no published entry has this slug (whatever else exists).
    """
    entry = _published(slug)
    return solution_record(entry, language)


def solution_record(entry: Solution, language: str, html: bool = True) -> dict:
    """The record of a published entry (loaded with its relationships: RECORD_OPTIONS).

    ``html=False`` leaves out the ``<field>_html`` renderings, for readers of the Markdown source
    only (the DCAT-AP catalogue): rendering is most of the time a record takes.
    """
    image = None
    if entry.image:
        image = {"url": absolute_url("media.image", name=entry.image), "alt": entry.image_alt}
    contact = None
    if entry.contact_public and (entry.contact_name or entry.contact_email):
        contact = {"name": entry.contact_name or None, "email": entry.contact_email or None}
    return {
        "slug": entry.slug,
        "url": absolute_url("catalogue.detail", slug=entry.slug),
        "api_url": absolute_url("api.solution", slug=entry.slug),
        "kind": entry.kind,
        "language": entry.language,
        **_texts(entry, html),
        "translations": [
            {"language": t.language, **_texts(t, html)}
            for t in entry.translations
            if t.language != entry.language
        ],
        "city": city_ref(entry.city),
        "used_by": [
            {
                "city": city_ref(adoption.city),
                "note": adoption.note,
                "since": iso(adoption.created_at),
            }
            for adoption in entry.adoptions
        ],
        "tracks": [track_ref(track, language) for track in entry.tracks],
        "challenges": [challenge_ref(challenge, language) for challenge in entry.challenges],
        "services": [service_ref(service, language) for service in entry.services],
        "sdgs": [sdg_ref(sdg, language) for sdg in entry.sdgs],
        "maturity": entry.maturity,
        "cost_band": entry.cost_band or None,
        "funding_model": entry.funding_model or None,
        "licence": entry.licence or None,
        "provider": entry.provider or None,
        "website": entry.website or None,
        "languages": list(entry.languages or []),
        "contact": contact,
        "image": image,
        "featured": entry.featured,
        "sample": entry.sample,
        "created_at": iso(entry.created_at),
        "published_at": iso(entry.published_at),
        "updated_at": iso(entry.content_updated_at),
    }


def changed_at() -> datetime:
    """When the public catalogue last changed, as far as the database tells: the newest search
    change of a city, a term or an entry that is published or gone, published entry update,
    publication or withdrawal (its moderation event) or adoption. A draft's edits do not show
    (every entry change writes a search change). The Last-Modified of the API."""
    unpublished = (
        select(Solution.id)
        .where(Solution.id == SearchChange.entity_id, Solution.status != Status.PUBLISHED)
        .exists()
    )
    public_changes = select(func.max(SearchChange.created_at)).where(
        ~((SearchChange.entity == "solution") & unpublished)
    )
    moved = select(func.max(ModerationEvent.created_at)).where(
        (ModerationEvent.from_status == Status.PUBLISHED)
        | (ModerationEvent.to_status == Status.PUBLISHED)
    )
    newest = [
        db.session.scalar(public_changes),
        db.session.scalar(moved),
        db.session.scalar(
            select(func.max(Solution.updated_at)).where(Solution.status == Status.PUBLISHED)
        ),
        db.session.scalar(select(func.max(Adoption.created_at))),
    ]
    known = [
        value.replace(tzinfo=UTC) if value.tzinfo is None else value
        for value in newest
        if value is not None
    ]
    return max(known, default=EPOCH)
