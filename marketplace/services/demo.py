"""The demo catalogue: ICC taxonomy, sample cities, sample entries and one account per role."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from .. import vocab
from ..database import transactional
from ..extensions import db
from ..models import (
    SDG,
    Adoption,
    Challenge,
    City,
    Solution,
    SolutionTranslation,
    Track,
    TransversalService,
    User,
)
from ..models.solution import TRANSLATABLE
from ..sqltypes import utc_now
from ..vocab import Role, Status
from . import moderation, phrases
from .errors import ValidationFailed

SEED = resources.files("marketplace") / "seed"
# Seed keys holding a term's text in the other interface languages -> the model's JSON column.
TRANSLATED = {"names": "labels", "descriptions": "descriptions"}

# Development credentials, printed by seed-demo and listed in README; production refuses to seed.
DEMO_ACCOUNTS = (
    {"email": "admin@tech4good.example", "password": "demo-admin-pass", "role": Role.ADMIN,
     "display_name": "Demo administrator", "city": None},
    {"email": "curator@tech4good.example", "password": "demo-curator-pass",
     "role": Role.CURATOR, "display_name": "Demo curator", "city": None},
    {"email": "publisher@terrassa.example", "password": "demo-publisher-pass",
     "role": Role.PUBLISHER, "display_name": "Demo publisher (Terrassa)", "city": "terrassa"},
)  # fmt: skip

# The transitions that take a new draft to each demo status.
STATUS_PATHS: dict[str, tuple[Status, ...]] = {
    Status.DRAFT: (),
    Status.SUBMITTED: (Status.SUBMITTED,),
    Status.CHANGES_REQUESTED: (Status.SUBMITTED, Status.CHANGES_REQUESTED),
    Status.REJECTED: (Status.SUBMITTED, Status.REJECTED),
    Status.PUBLISHED: (Status.SUBMITTED, Status.PUBLISHED),
    Status.ARCHIVED: (Status.SUBMITTED, Status.PUBLISHED, Status.ARCHIVED),
}
ARCHIVE_COMMENT = "Archived at the city's request: the service was replaced by a newer one."


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    accounts: tuple[dict, ...] = DEMO_ACCOUNTS

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


def _load(name: str) -> dict[str, Any]:
    return tomllib.loads((SEED / name).read_text(encoding="utf-8"))


def _entries() -> list[dict[str, Any]]:
    folder = SEED / "entries"
    files = sorted(
        (item for item in folder.iterdir() if item.name.endswith(".toml")), key=lambda f: f.name
    )
    return [tomllib.loads(item.read_text(encoding="utf-8")) for item in files]


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _by_slug(model: type) -> dict[str, Any]:
    return {item.slug: item for item in db.session.scalars(select(model))}


def is_empty() -> bool:
    """True when the database holds no city and no entry yet."""
    return not db.session.scalar(select(func.count()).select_from(City)) and not (
        db.session.scalar(select(func.count()).select_from(Solution))
    )


@transactional
def seed_demo(only_if_empty: bool = False) -> SeedReport | None:
    """Load the demo catalogue, creating only what is missing (seeding twice changes nothing).

    With ``only_if_empty``, returns None and changes nothing when the database already holds
    cities or entries (checked inside the same write transaction, so two starts cannot both seed).

    :raises ValidationFailed: when a seed file refers to an unknown city or challenge.
    """
    if only_if_empty and not is_empty():
        return None
    report = SeedReport()
    _seed_taxonomy(report)
    _seed_cities(report)
    curator = _seed_accounts(report)
    _seed_entries(report, curator)
    return report


@transactional
def load_taxonomy() -> SeedReport:
    """Load the ICC taxonomy alone (tracks, challenges, services, SDGs, their phrases and names in
    every language), creating only the terms that are missing: a production database's first
    content, with no sample city, entry or account."""
    report = SeedReport()
    _seed_taxonomy(report)
    return report


def _seed_taxonomy(report: SeedReport) -> None:
    data = _load("taxonomy.toml")
    tracks, challenges = _by_slug(Track), _by_slug(Challenge)
    for position, item in enumerate(data["tracks"]):
        track = tracks.get(item["slug"])
        if track is None:
            track = Track(
                slug=item["slug"],
                name=item["name"],
                edition=item["edition"],
                description=item["description"],
                position=position,
            )
            db.session.add(track)
            report.add("tracks")
        for challenge_position, challenge in enumerate(item["challenges"]):
            if challenge["slug"] not in challenges:
                db.session.add(
                    Challenge(
                        slug=challenge["slug"],
                        name=challenge["name"],
                        track=track,
                        position=challenge_position,
                    )
                )
                report.add("challenges")
    services = _by_slug(TransversalService)
    for position, item in enumerate(data["services"]):
        if item["slug"] not in services:
            db.session.add(
                TransversalService(
                    slug=item["slug"],
                    name=item["name"],
                    description=item["description"],
                    position=position,
                )
            )
            report.add("transversal services")
    known = set(db.session.scalars(select(SDG.number)))
    for item in data["sdgs"]:
        if item["number"] not in known:
            db.session.add(SDG(number=item["number"], name=item["name"]))
            report.add("SDGs")
    db.session.flush()
    translated = _seed_translated(data)
    if translated:
        report.add("names and descriptions in other languages", translated)
    added = _seed_phrases(data)
    if added:
        report.add("phrases", added)


def _seed_terms(data: dict[str, Any]) -> Iterator[tuple[type, dict[str, Any]]]:
    for track in data["tracks"]:
        yield Track, track
        for challenge in track["challenges"]:
            yield Challenge, challenge
    for service in data["services"]:
        yield TransversalService, service


def _seed_phrases(data: dict[str, Any]) -> int:
    """Add the seed's phrases each term never had (see phrases.add_missing)."""
    terms = {model: _by_slug(model) for model in (Track, Challenge, TransversalService)}
    added = 0
    for model, item in _seed_terms(data):
        term = terms[model].get(item["slug"])
        for language, words in item.get("phrases", {}).items():
            if term is not None:
                added += phrases.add_missing(term, phrases.clean("\n".join(words)), language)
    return added


def _seed_translated(data: dict[str, Any]) -> int:
    """Give every term (and SDG) the seed's names and descriptions in the languages it has none
    in, and return how many were added: a curator's own text is never replaced. Flushes only."""
    terms = {model: _by_slug(model) for model in (Track, Challenge, TransversalService)}
    sdgs = {sdg.number: sdg for sdg in db.session.scalars(select(SDG))}
    seeded = [(terms[model].get(item["slug"]), item) for model, item in _seed_terms(data)]
    seeded += [(sdgs.get(item["number"]), item) for item in data["sdgs"]]
    added, renamed = 0, False
    for term, item in seeded:
        if term is None:
            continue
        for key, column in TRANSLATED.items():
            if key not in item:  # challenges and SDGs have no description
                continue
            current = dict(getattr(term, column) or {})
            missing = {
                language: text
                for language, text in item[key].items()
                if text.strip() and not (current.get(language) or "").strip()
            }
            if missing:
                # A new dict, so the JSON column sees the change.
                setattr(term, column, {**current, **missing})
                added += len(missing)
                renamed = renamed or column == "labels"
    if renamed:
        phrases.bump_revision()  # names in other languages are words search may match terms by
    db.session.flush()
    return added


@transactional
def load_names() -> int:
    """Give each term the seed's names and descriptions in the languages it has none in (never
    replacing a curator's) and return how many were added; ``load_phrases`` does it too."""
    return _seed_translated(_load("taxonomy.toml"))


@transactional
def load_phrases() -> int:
    """Add to the taxonomy the seed's phrases its terms never had, in every language, and return
    how many: a phrase a curator removed stays removed, the curators' own stay as they are.
    Also gives each term the seed's names and descriptions in the languages it has none in
    (never replacing a curator's; not counted in the result). Terms are matched by slug (SDGs by
    number); terms the seed does not know are left alone.

    :raises ValidationFailed: a seed phrase breaks the curators' rules (see phrases.clean).
    """
    data = _load("taxonomy.toml")
    _seed_translated(data)
    return _seed_phrases(data)


def _seed_cities(report: SeedReport) -> None:
    existing = _by_slug(City)
    for item in _load("cities.toml")["cities"]:
        if item["slug"] in existing:
            continue
        db.session.add(
            City(
                slug=item["slug"],
                name=item["name"],
                country=item["country"],
                role=item["role"],
                population=item.get("population"),
                website=item.get("website", ""),
                profile=item["about"],
                sample=True,
            )
        )
        report.add("cities")
    db.session.flush()


def _seed_accounts(report: SeedReport) -> User:
    cities = _by_slug(City)
    users = {user.email: user for user in db.session.scalars(select(User))}
    for account in DEMO_ACCOUNTS:
        if account["email"] in users:
            continue
        user = User(
            email=account["email"],
            display_name=account["display_name"],
            role=account["role"],
            city=cities[account["city"]] if account["city"] else None,
        )
        user.set_password(account["password"])
        db.session.add(user)
        users[user.email] = user
        report.add("accounts")
    db.session.flush()
    return users[DEMO_ACCOUNTS[1]["email"]]


def _resolve(items: dict[str, Any], slugs: list, what: str, entry: str) -> list:
    unknown = [slug for slug in slugs if slug not in items]
    if unknown:
        raise ValidationFailed(f"Seed entry {entry}: unknown {what} {', '.join(map(str, unknown))}")
    return [items[slug] for slug in slugs]


def _seed_entries(report: SeedReport, curator: User) -> None:
    existing = set(db.session.scalars(select(Solution.slug)))
    cities, challenges = _by_slug(City), _by_slug(Challenge)
    services = _by_slug(TransversalService)
    sdgs = {sdg.number: sdg for sdg in db.session.scalars(select(SDG))}
    for item in _entries():
        if item["slug"] in existing:
            continue
        slug = item["slug"]
        created = _at(item["created"])
        solution = Solution(
            slug=slug,
            kind=item["kind"],
            title=item["title"],
            summary=item["summary"],
            description=item["description"].strip(),
            impact=item["impact"].strip(),
            lessons=item["lessons"].strip(),
            city=_resolve(cities, [item["city"]], "city", slug)[0],
            provider=item["provider"],
            contact_name=item["contact_name"],
            contact_email=item["contact_email"],
            website=item.get("website", ""),
            maturity=item["maturity"],
            cost_band=item["cost_band"],
            funding_model=item["funding_model"],
            licence=item["licence"],
            language=item.get("language", "en"),
            languages=list(item["languages"]),
            challenges=_resolve(challenges, item["challenges"], "challenge", slug),
            services=_resolve(services, item["services"], "service", slug),
            sdgs=_resolve(sdgs, item["sdgs"], "SDG", slug),
            featured=item.get("featured", False),
            sample=True,
            status=Status.DRAFT,
            created_at=created,
            updated_at=created,
        )
        solution.adoptions = [
            Adoption(city=city, created_at=created)
            for city in _resolve(cities, item["used_by"], "city", slug)
        ]
        solution.translations = _translations(item, created)
        if solution.translations:
            report.add("translations", len(solution.translations))
        db.session.add(solution)
        moderation.record_created(solution, None, at=created)
        _walk_to_status(solution, item, curator)
        report.add("entries")


def _translations(item: dict[str, Any], at: datetime) -> list[SolutionTranslation]:
    """The entry's ``[translations.<language>]`` tables (the fields of TRANSLATABLE).

    :raises ValidationFailed: a translation into the entry's own language or an unknown one,
        without a title, or with a field that is not translatable.
    """
    own = item.get("language", "en")
    result = []
    for language, fields in sorted(item.get("translations", {}).items()):
        where = f"Seed entry {item['slug']}: translation {language!r}"
        if language == own or not vocab.is_language(language):
            raise ValidationFailed(f"{where} is not in another language than the entry's")
        if not fields.get("title", "").strip() or set(fields) - set(TRANSLATABLE):
            raise ValidationFailed(f"{where} needs a title and no field but {TRANSLATABLE}")
        text = {name: fields.get(name, "").strip() for name in TRANSLATABLE}
        result.append(SolutionTranslation(language=language, updated_at=at, **text))
    return result


def _walk_to_status(solution: Solution, item: dict[str, Any], curator: User) -> None:
    created = _at(item["created"])
    published = _at(item["published"]) if "published" in item else None
    decided = published or created + timedelta(days=9)
    moments = {
        Status.SUBMITTED: (None, created + timedelta(days=1), ""),
        Status.PUBLISHED: (curator, decided, "Approved."),
        Status.CHANGES_REQUESTED: (curator, decided, item.get("review_comment", "")),
        Status.REJECTED: (curator, decided, item.get("review_comment", "")),
        Status.ARCHIVED: (curator, min(decided + timedelta(days=240), utc_now()), ARCHIVE_COMMENT),
    }
    for target in STATUS_PATHS[item["status"]]:
        actor, when, comment = moments[target]
        moderation.apply_transition(solution, target, actor, comment, at=when)
        solution.updated_at = when
