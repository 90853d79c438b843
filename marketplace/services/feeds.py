"""Atom feeds of searches: the newest published entries a search finds, for feed readers.

A feed is the search page's search (the same parameters, search_args.py) sorted newest first
(by publication date, whatever sort was asked), its first FEED_ENTRIES results. Entries are
described from their open-data records (records.py); titles and summaries read in the
request's language where the city wrote one, as on the page.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _

from .. import i18n
from ..search import SearchRequest
from ..search.schema import FACETS
from ..text import clean_line
from . import catalogue_search, records

# Entries in a feed: enough for a reader that polls daily or weekly, few enough to build in
# milliseconds. Older entries are on the search page (the feed's alternate link).
FEED_ENTRIES = 50
QUERY_CHARS = 80  # of the question, in the feed's title
# Characters XML 1.0 cannot carry (lxml refuses them): controls text.py leaves, and U+FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ATOM = "application/atom+xml"


def _xml(value: str) -> str:
    return _NOT_XML.sub("", value or "")


def search_values(request: SearchRequest) -> dict[str, Any]:
    """The query string of a search, as the search page and the feed read it (no paging, no
    sort: a feed is always its newest entries)."""
    values: dict[str, Any] = {}
    if request.text:
        values["q"] = request.text
    for name in FACETS:
        if request.filters.get(name):
            values[name] = list(request.filters[name])
    if request.exact:
        values["exact"] = "1"
    return values


def _timestamp(value: datetime | None) -> datetime:
    if value is None:
        return records.EPOCH
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _title(page: catalogue_search.ResultPage) -> str:
    """What the search is, in the request's language: its question and its filters."""
    parts = []
    if page.request.text:
        text = clean_line(page.request.text)
        if len(text) > QUERY_CHARS:
            text = text[: QUERY_CHARS - 1].rstrip() + "…"
        parts.append(f"“{text}”")
    chosen: dict[str, list[str]] = {}
    titles = {}
    for facet, value in page.active_filters:
        titles[facet.name] = str(facet.title)
        chosen.setdefault(facet.name, []).append(value.label)
    for name, labels in chosen.items():
        parts.append(_("%(facet)s: %(values)s", facet=titles[name], values=", ".join(labels)))
    if not parts:
        return _("Tech4Good Marketplace: newest entries")
    return _("Tech4Good Marketplace: newest entries for %(search)s", search="; ".join(parts))


def _tag(created: datetime, entry_id: int) -> str:
    """A tag URI (RFC 4151) naming the entry for good: renames change its address, not this."""
    host = urlsplit(records.absolute_url("catalogue.index")).hostname or "localhost"
    return f"tag:{host},{created:%Y-%m-%d}:solution:{entry_id}"


def _add_entry(feed: FeedGenerator, result: catalogue_search.Result, language: str) -> datetime:
    solution = result.solution
    ref = records.solution_ref(solution)
    city = records.city_ref(solution.city)
    published = _timestamp(solution.published_at)
    updated = max(published, _timestamp(solution.content_updated_at))
    entry = feed.add_entry(order="append")
    entry.id(_tag(_timestamp(solution.created_at), solution.id))
    entry.title(_xml(result.title or solution.title))
    entry.summary(_xml(result.summary or solution.summary))
    # One link, the entry's page (an alternate: Atom's default). feedgen 1.0.0 writes no rel,
    # type or hreflang on entry links, so a second one (the API record) would be a second
    # alternate of the same type, which Atom forbids.
    entry.link(href=ref["url"])
    entry.published(published)
    entry.updated(updated)
    entry.author(name=_xml(city["name"]), uri=city["url"])
    tracks_scheme = records.absolute_url("api.tracks")
    for track in solution.tracks:
        term = records.track_ref(track, language)
        entry.category(term=term["slug"], label=_xml(term["label"]), scheme=tracks_scheme)
    challenges_scheme = records.absolute_url("api.challenges")
    for challenge in solution.challenges:
        term = records.challenge_ref(challenge, language)
        entry.category(term=term["slug"], label=_xml(term["label"]), scheme=challenges_scheme)
    return updated


def search_feed(request: SearchRequest) -> bytes:
    """The Atom document of the newest published entries ``request`` finds.

    :raises search.NoIndex: when no search index has been built yet.
    """
    language = i18n.current_language()
    request = replace(request, sort="newest", page=1, per_page=FEED_ENTRIES)
    page = catalogue_search.search_catalogue(request)
    values = search_values(request)
    self_url = records.absolute_url("feeds.solutions", **values)
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(_xml(_title(page)))
    feed.subtitle(_("Published entries of the Tech4Good Marketplace, newest first."))
    feed.language(language)
    feed.link(href=self_url, rel="self", type=ATOM)
    feed.link(
        href=records.absolute_url("catalogue.index", **values, sort="newest"),
        rel="alternate",
        type="text/html",
    )
    feed.author(name="Tech4Good Marketplace", uri=records.absolute_url("main.home"))
    newest = [_add_entry(feed, result, language) for result in page.results]
    # A fixed time, not now: an unchanged search gives the same document (and ETag).
    feed.updated(max(newest, default=records.changed_at()))
    return feed.atom_str(pretty=True)
