"""Mail as templates: who is told what, with links built from MARKETPLACE_BASE_URL."""

import re
from pathlib import Path

import pytest

from marketplace import mail
from marketplace.config import ConfigError
from marketplace.extensions import db
from marketplace.models import Report
from marketplace.services import exchange, publishing, reports
from marketplace.vocab import Status

ROOT = Path(__file__).resolve().parent.parent
DESCRIPTION = (
    "The city installed solar panels on twelve school roofs with a citizen cooperative. Pupils "
    "follow the production on a dashboard, and the savings pay back the loan in nine years."
)


def complete(**overrides):
    return {
        "title": "Solar roofs on schools",
        "kind": "solution",
        "summary": "Solar panels on school roofs.",
        "description": DESCRIPTION * 2,
        "maturity": "deployed",
        "challenges": ["retrofit"],
        "contact_email": "marta@porto.example",
        "contact_public": True,
        **overrides,
    }


def links(message) -> list[str]:
    return re.findall(r"https?://\S+", message.get_content())


def test_every_message_is_a_template_pair():
    folders = sorted((ROOT / "templates" / "mail").iterdir())
    assert len(folders) >= 9
    for folder in folders:
        assert sorted(p.name for p in folder.iterdir()) == ["body.txt", "subject.txt"], folder
        assert "http" not in (folder / "body.txt").read_text()  # links come from link()


def test_services_build_no_links_of_their_own():
    for path in (ROOT / "marketplace" / "services").glob("*.py"):
        assert "BASE_URL" not in path.read_text(), path.name


def test_links_use_the_base_url_and_its_path_never_the_request_host(app):
    app.config["BASE_URL"] = "https://cities.example.eu/marketplace/"
    with app.test_request_context("/", base_url="http://evil.example"):
        assert mail.link("catalogue.detail", slug="x") == (
            "https://cities.example.eu/marketplace/solutions/x"
        )


def test_curators_are_told_of_each_submission(app, ctx, publisher, curator, taxonomy, outbox):
    app.config["BASE_URL"] = "https://cities.example.eu"
    result = publishing.save(publisher, None, complete(), "submit", not_duplicate=True)
    assert result.outcome == "submitted"
    [message] = [m for m in outbox() if m["To"] == curator.email]
    assert message["Subject"] == "[Tech4Good Marketplace] To review: Solar roofs on schools"
    assert "submitted a new entry" in message.get_content()
    assert f"https://cities.example.eu/curate/entries/{result.solution.id}" in links(message)


@pytest.mark.parametrize("setting", ["digest", "off"])
def test_curators_can_read_a_digest_instead_or_nothing(
    app, ctx, publisher, curator, taxonomy, outbox, runner, setting
):
    app.config["CURATOR_MAIL"] = setting
    publishing.save(publisher, None, complete(), "submit", not_duplicate=True)
    assert outbox() == []
    result = runner.invoke(args=["mail", "digest"])
    assert result.exit_code == 0, result.output
    [digest] = outbox()
    assert digest["To"] == curator.email
    assert digest["Subject"] == "[Tech4Good Marketplace] 1 entry waits for review"
    assert "Solar roofs on schools (Porto)" in digest.get_content()


def test_an_unknown_curator_mail_setting_is_refused(tmp_path):
    from marketplace import create_app

    with pytest.raises(ConfigError, match="CURATOR_MAIL"):
        create_app({"DATA_DIR": str(tmp_path), "SECRET_KEY": "x", "CURATOR_MAIL": "weekly"})


def test_an_entrys_city_is_told_of_a_new_adoption_once(
    ctx, make_solution, make_user, make_city, publisher, outbox
):
    solution = make_solution(city=publisher.city, status=Status.PUBLISHED)
    adopter = make_user(role="publisher", city=make_city(name="Zagreb"))
    exchange.adopt(adopter, solution, "Running in three districts.")
    exchange.adopt(adopter, solution, "Running in four districts.")  # a new note: no new mail
    [message] = outbox()
    assert message["To"] == publisher.email
    assert message["Subject"] == f'[Tech4Good Marketplace] Zagreb uses "{solution.title}"'
    assert "Running in three districts." in message.get_content()


def test_the_city_and_the_reporter_are_told_how_a_report_ended(
    ctx, make_solution, publisher, curator, outbox
):
    solution = make_solution(city=publisher.city, status=Status.PUBLISHED)
    report = reports.create_report(
        solution, "outdated", "The website is gone.", "192.0.2.1", "ana@example.org"
    )
    reports.decide(curator, db.session.get(Report, report.id), "dismiss", "The site is back.")
    told = {m["To"]: m for m in outbox()}
    assert set(told) == {publisher.email, "ana@example.org"}
    assert "The site is back." in told["ana@example.org"].get_content()
    assert "decided that no change is needed" in told["ana@example.org"].get_content()
    assert "dismissed the report" in told[publisher.email].get_content()


def test_the_contact_mail_names_the_city_once(ctx, make_solution, make_user, make_city, outbox):
    solution = make_solution(status=Status.PUBLISHED, contact_email="owner@city.example")
    sender = make_user(
        role="publisher", city=make_city(name="Terrassa"), display_name="Demo publisher (Terrassa)"
    )
    exchange.send_message(sender, solution, "A question", "How long did the survey take, please?")
    [message] = outbox()
    assert message.get_content().startswith("Demo publisher (Terrassa) writes to you")
    assert "(Terrassa) (Terrassa)" not in message.get_content()
