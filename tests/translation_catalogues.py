"""The interface's message catalogues as tests see them: compiled when stale, and the strings the
sources mark today (what `make messages` would extract)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from marketplace.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "marketplace" / "translations"
# As babel.cfg and the Makefile's `messages` target say.
METHODS = [
    ("marketplace/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
KEYWORDS["lazy_ngettext"] = (1, 2)


OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
OPTIONS["templates/**.txt"] = OPTIONS["templates/**.html"]


def _wanted(dirpath: str) -> bool:
    """Every folder but hidden ones and caches: templates/_macros holds strings too."""
    name = Path(dirpath).name
    return not name.startswith(".") and name not in ("__pycache__", "node_modules")


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as file:
        return read_po(file, locale=language)


def compile_stale() -> None:
    """Compile each .po whose .mo is missing or older, as `make translations` does (fuzzy
    messages left out), so a test run straight from pytest reads the current catalogues."""
    for language in LANGUAGES[1:]:
        po = po_path(language)
        mo = po.with_suffix(".mo")
        if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            with mo.open("wb") as file:
                write_mo(file, read(language), use_fuzzy=False)


@cache
def marked() -> frozenset[str]:
    """Every msgid the sources mark (plural forms as their singular)."""
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        ROOT, METHODS, options_map=OPTIONS, keywords=KEYWORDS, directory_filter=_wanted
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(found)
