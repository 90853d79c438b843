"""Every page in every interface language: no English sentence of the interface left on it.

Each page of the demo catalogue is opened with ``?lang=xx`` (as a visitor, a city publisher and an
administrator) and read for the interface's own English sentences (the marked strings of two or more
words whose translation differs), leaving out any that also occur in the catalogue's content, which
is in whatever language its city wrote it.
"""

import re

import pytest
import translation_catalogues as catalogues
from page_reader import parse

from marketplace.extensions import db
from marketplace.i18n import LANGUAGES
from marketplace.models import City, Report, Solution, SolutionRevision, User
from marketplace.vocab import Status

PUBLIC = [
    "/",
    "/solutions",
    "/solutions?q=cargo+bikes&track=smart-mobility",
    "/solutions?q=zzzqqq",
    "/solutions/{entry}",
    "/solutions/{entry}/contact",
    "/solutions/{entry}/report",
    "/cities",
    "/cities/porto",
    "/tracks",
    "/tracks/green-economy",
    "/challenges/green-smes",
    "/services/open-data",
    "/sdgs/7",
    "/about",
    "/api",
    "/login",
    "/reset",
    "/no-such-page",
]
PUBLISHER = [
    "/my",
    "/my/entries/new",
    "/my/entries/{own}",
    "/my/entries/{own}/edit",
    "/my/city",
    "/account",
]
ADMIN = [
    "/curate",
    "/curate/entries/{submitted}",
    "/curate/audit",
    "/curate/reports",
    "/curate/reports/{report}",
    "/curate/taxonomy",
    "/curate/taxonomy/tracks/green-economy/edit",
    "/curate/cities",
    "/curate/cities/new",
    "/curate/cities/porto/edit",
    "/curate/users",
    "/curate/users/invite",
]
_PLACEHOLDER = re.compile(r"%\(\w+\)|%[sd]|<|\{")


def _content(app) -> str:
    """Everything people wrote: entries (and their translations), cities, names."""
    with app.app_context():
        parts = []
        for solution in db.session.scalars(db.select(Solution)):
            parts += [solution.title, solution.summary, solution.description, solution.impact]
            parts += [solution.lessons, solution.provider, solution.funding_model]
            for version in solution.translations:
                parts += [version.title, version.summary, version.description, version.impact]
                parts += [version.lessons]
        for city in db.session.scalars(db.select(City)):
            parts += [city.name, city.profile or ""]
        return "\n".join(part for part in parts if part).casefold()


@pytest.fixture
def forbidden(demo_app):
    """Per language: the interface's English sentences a translated page must not show."""
    content = _content(demo_app)
    found = {}
    for language in LANGUAGES[1:]:
        found[language] = {
            message.id
            for message in catalogues.read(language)
            if isinstance(message.id, str)
            and message.string
            and message.string != message.id
            and " " in message.id.strip()
            and not _PLACEHOLDER.search(message.id)
            and message.id.casefold() not in content
        }
    return found


@pytest.fixture
def urls(demo_app):
    with demo_app.app_context():
        publisher = db.session.scalar(
            db.select(User).where(User.email == "publisher@terrassa.example")
        )
        own = db.session.scalar(db.select(Solution.id).where(Solution.city_id == publisher.city_id))
        submitted = db.session.scalar(
            db.select(Solution.id).where(Solution.status == Status.SUBMITTED)
        ) or db.session.scalar(db.select(SolutionRevision.solution_id))
        entry = db.session.scalar(
            db.select(Solution.slug)
            .where(Solution.status == Status.PUBLISHED)
            .order_by(Solution.id)
        )
        report = db.session.scalar(db.select(Report.id))
        names = {"entry": entry, "own": own, "submitted": submitted, "report": report}
    fill = lambda paths: [p.format(**names) for p in paths if "{report}" not in p or report]  # noqa: E731
    return {"anonymous": fill(PUBLIC), "publisher": fill(PUBLISHER), "admin": fill(ADMIN)}


def _visible(response) -> str:
    page = parse(response)
    texts = [page.text]
    for element in page.iter():
        for attribute in ("placeholder", "aria-label", "title", "alt", "value", "content"):
            if element.attrs.get(attribute):
                texts.append(element.attrs[attribute])
    return " ".join(" ".join(texts).split())


def _client_as(demo_app, who):
    client = demo_app.test_client()
    if who == "anonymous":
        return client
    email = {"publisher": "publisher@terrassa.example", "admin": "admin@tech4good.example"}
    with demo_app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email[who]))
        user_id = user.get_id()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    return client


@pytest.mark.parametrize("who", ["anonymous", "publisher", "admin"])
@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_no_english_sentence_of_the_interface_is_left(demo_app, urls, forbidden, who, language):
    client = _client_as(demo_app, who)
    left = {}
    for url in urls[who]:
        response = client.get(url + ("&" if "?" in url else "?") + f"lang={language}")
        assert response.status_code in (200, 404), url
        assert parse(response).find("html")["lang"] == language
        text = _visible(response)
        english = sorted(s for s in forbidden[language] if " ".join(s.split()) in text)
        if english:
            left[url] = english
    assert not left, f"{language}, as {who}: English left: {left}"
