"""The interface's languages: which one a request is read in; dates, numbers and names in it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cache, lru_cache, partial
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal
from flask import Flask, has_app_context, has_request_context, request
from flask_babel import Babel, get_locale
from flask_login import current_user

# The interface languages, in the order the language menu lists them; English is the fallback.
LANGUAGES = ("en", "fr", "de", "es", "it", "pt")
DEFAULT = "en"
# The cookie that keeps a visitor's choice from the language menu (a year).
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Dates and numbers in English read as in Europe ("3 December 2026"), not as in the US.
_FORMATTING = {"en": "en_GB"}

babel = Babel()


def init_app(app: Flask) -> None:
    babel.init_app(app, default_locale=DEFAULT, locale_selector=select_language)


def explicit_language() -> str | None:
    """The language a link asks for (``?lang=``), which wins over every other signal."""
    code = request.args.get("lang", "")
    return code if code in LANGUAGES else None


def select_language() -> str:
    """``?lang=``, else the signed-in account's choice, else the menu's cookie, else the browser's
    Accept-Language, else English (and English outside a request: CLI, mail uses force_locale)."""
    if not has_request_context():
        return DEFAULT
    if code := explicit_language():
        return code
    if current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    if (code := request.cookies.get(COOKIE, "")) in LANGUAGES:
        return code
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def current_language() -> str:
    """The language of this request's pages, or of the mail being written (English elsewhere)."""
    if not has_app_context():
        return DEFAULT
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT


def _formatting_locale(language: str | None = None) -> str:
    language = language or current_language()
    return _FORMATTING.get(language, language)


def format_date(value: date | datetime | None) -> str:
    """A date as the interface language writes it in full ("3. Dezember 2026")."""
    return babel_format_date(value, "long", locale=_formatting_locale()) if value else ""


def format_number(value: int | None) -> str:
    """An integer with the interface language's digit grouping ("12.345", "12 345")."""
    return _formatted(value, _formatting_locale()) if value is not None else ""


def number_format() -> Callable[[int], str]:
    """``format_number`` in the interface language, the language looked up once (a search
    page formats a hundred facet counts)."""
    return partial(_formatted, locale=_formatting_locale())


@lru_cache(maxsize=8192)
def _formatted(value: int, locale: str) -> str:
    # Babel parses the locale and the pattern on every call: a search page shows a hundred
    # facet counts, most of them small numbers shown again and again.
    return format_decimal(value, locale=locale)


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def country_name(code: str, language: str | None = None) -> str:
    """The name of an ISO 3166-1 alpha-2 country in the interface language (CLDR's); the code
    itself when unknown."""
    code = code.upper()
    return _locale(language or current_language()).territories.get(code, code)


def language_name(code: str, language: str | None = None) -> str:
    """The name of an ISO 639-1 language in the interface language ("Greek", "Griechisch"), not
    ISO's catalogue name ("Modern Greek (1453-)"); the code itself when unknown."""
    code = code.lower()
    return _locale(language or current_language()).languages.get(code, code)


def endonym(code: str) -> str:
    """A language's name in itself, as a language menu lists it ("Deutsch", "español")."""
    name = _locale(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def menu() -> list[tuple[str, str]]:
    """The language menu: (code, name in itself) in menu order."""
    return [(code, endonym(code)) for code in LANGUAGES]


def term_label(term: Any) -> str:
    """A track's, challenge's, service's or SDG's name in the interface language: the curated
    label when the taxonomy has one, else its (English) name."""
    labels = getattr(term, "labels", None) or {}
    return labels.get(current_language()) or term.name


def term_description(term: Any) -> str:
    """A track's or service's description in the interface language, else the English one."""
    descriptions = getattr(term, "descriptions", None) or {}
    return descriptions.get(current_language()) or term.description


def in_sentence(label: Any) -> str:
    """A label (a status, a role) as it reads inside a sentence: lower-cased, except in German,
    which writes nouns with a capital ("Entwurf")."""
    return str(label) if current_language() == "de" else str(label).lower()
