"""Curators' work on cities: add an ICC city and edit any city's details."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ..database import transactional
from ..extensions import db
from ..i18n import country_name
from ..models import City
from ..permissions import can_manage_cities
from ..text import sort_key
from ..vocab import CITY_ROLES, is_country
from . import audit, redirects
from .entries import valid_url
from .errors import PermissionDenied, ValidationFailed
from .slugs import slugify

NAME_MAX = 200
SLUG_MAX = 80
PROFILE_MAX = 20_000
POPULATION_MAX = 50_000_000
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass
class CityDetails:
    """What a curator types about a city; ``slug`` may be left empty to derive it from the name."""

    name: str
    slug: str
    country: str
    role: str
    population: int | None = None
    website: str = ""
    profile: str = ""


def require_city_manager(user: Any) -> None:
    """:raises PermissionDenied: unless ``user`` is a curator or an administrator."""
    if not can_manage_cities(user):
        raise PermissionDenied(_("Only curators and administrators manage cities."))


def list_cities(user: Any) -> list[City]:
    """Every city, alphabetically. :raises PermissionDenied: see require_city_manager."""
    require_city_manager(user)
    return sorted(db.session.scalars(select(City)), key=lambda city: sort_key(city.name))


def _clean(details: CityDetails, city: City | None) -> CityDetails:
    """The details tidied and checked, one field at a time.

    :raises ValidationFailed: naming the first field that is wrong.
    """
    name = " ".join((details.name or "").split())
    if not name:
        raise ValidationFailed(_("Give the city's name."), "name")
    if len(name) > NAME_MAX:
        raise ValidationFailed(_("Keep the name to %(max)d characters.", max=NAME_MAX), "name")
    slug = (details.slug or "").strip().lower() or slugify(name)
    if len(slug) > SLUG_MAX or not SLUG.fullmatch(slug):
        raise ValidationFailed(
            _(
                "Use lower-case letters, digits and single hyphens in the address, such as "
                "lille-metropole."
            ),
            "slug",
        )
    query = select(City.id).where(City.slug == slug)
    if city is not None:
        query = query.where(City.id != city.id)
    if db.session.scalar(query) is not None:
        raise ValidationFailed(
            _("Another city has the address %(slug)s already.", slug=slug), "slug"
        )
    country = (details.country or "").strip().upper()
    if len(country) != 2 or not is_country(country):
        raise ValidationFailed(
            _("Give the country as its two-letter ISO code, such as PT or HR."), "country"
        )
    if details.role not in CITY_ROLES:
        raise ValidationFailed(_("Choose the city's role in the ICC."), "role")
    population = details.population
    if population is not None and not 1 <= population <= POPULATION_MAX:
        raise ValidationFailed(_("Give the population as a whole number."), "population")
    website = (details.website or "").strip()
    if website and not valid_url(website):
        raise ValidationFailed(_("Give a full web address starting with https://."), "website")
    profile = details.profile or ""
    if len(profile) > PROFILE_MAX:
        raise ValidationFailed(
            _("Keep the profile to %(max)d characters.", max=PROFILE_MAX), "profile"
        )
    return CityDetails(name, slug, country, details.role, population, website, profile)


def _shown(name: str, value: Any) -> str:
    """A value as the (English) audit log writes it."""
    if name == "country":
        return f"{value} ({country_name(value, 'en')})" if value else "none"
    if value is None or value == "":
        return "none"
    return str(value)


@transactional
def create_city(user: Any, details: CityDetails) -> City:
    """:raises PermissionDenied: see require_city_manager. :raises ValidationFailed: see _clean."""
    require_city_manager(user)
    clean = _clean(details, None)
    city = City(**{f.name: getattr(clean, f.name) for f in fields(clean)})
    redirects.forget("city", clean.slug)
    db.session.add(city)
    detail = (
        f"{clean.slug}, {_shown('country', clean.country)}, {audit.english(CITY_ROLES[clean.role])}"
    )
    audit.record(user, "city.created", f"city {city.name}", detail)
    db.session.flush()
    return city


@transactional
def edit_city(user: Any, city: City, details: CityDetails) -> list[str]:
    """Save a city's details; returns the names of the fields that changed.

    Changing the name, address or country reindexes the city's entries (search outbox).

    :raises PermissionDenied: see require_city_manager. :raises ValidationFailed: see _clean.
    """
    require_city_manager(user)
    clean = _clean(details, city)
    changes, changed = [], []
    for f in fields(clean):
        old, new = getattr(city, f.name), getattr(clean, f.name)
        if old == new or (f.name in ("website", "profile") and (old or "") == new):
            continue
        changed.append(f.name)
        if f.name == "profile":
            changes.append("profile text changed")
        else:
            changes.append(f"{f.name}: {_shown(f.name, old)} -> {_shown(f.name, new)}")
        if f.name == "slug":  # links to the old address keep working
            redirects.forget("city", new)
            redirects.record("city", old, city.id)
        setattr(city, f.name, new)
    if changed:
        audit.record(user, "city.edited", f"city {city.name}", "; ".join(changes))
    return changed
