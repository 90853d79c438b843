"""Mail is written in its recipient's language, never in the language of whoever caused it."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

from flask import template_rendered

from marketplace import i18n, mail
from marketplace.database import unit_of_work
from marketplace.extensions import db
from marketplace.models import ModerationEvent, Report, User
from marketplace.services import notices
from marketplace.services.moderation import apply_transition, record_created
from marketplace.vocab import Status


@contextmanager
def languages_rendered(app):
    """The interface language seen while each mail template renders, by template name."""
    seen: dict[str, str] = {}

    def record(sender, template, context, **extra):
        if template.name.startswith("mail/"):
            seen[template.name] = i18n.current_language()

    template_rendered.connect(record, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(record, app)


def test_a_decision_is_mailed_in_the_authors_language_not_the_curators(
    app, client_for, make_user, make_solution, porto, outbox
):
    author = make_user(role="publisher", city=porto, language="de")
    curator = make_user(role="curator", language="fr")
    solution = make_solution(city=porto, status=Status.DRAFT)
    record_created(solution, author)
    apply_transition(solution, Status.SUBMITTED, author)
    db.session.commit()
    with languages_rendered(app) as seen:
        response = client_for(curator).post(
            f"/curate/entries/{solution.id}/decide?lang=fr",
            data={"decision": "approve", "version": solution.version},
        )
    assert response.status_code == 302
    assert seen == {"mail/decision/subject.txt": "de", "mail/decision/body.txt": "de"}
    [message] = outbox()
    assert message["To"] == author.email


def test_dates_in_mail_follow_the_recipients_language(
    app, ctx, make_user, make_solution, porto, outbox
):
    curator = make_user(role="curator", language="de")
    english = make_user(role="curator")  # no language chosen yet: English
    solution = make_solution(city=porto, status=Status.DRAFT)
    record_created(solution, curator)
    apply_transition(solution, Status.SUBMITTED, curator)
    db.session.commit()
    db.session.execute(
        db.update(ModerationEvent).values(created_at=datetime(2026, 12, 3, 9, tzinfo=UTC))
    )
    db.session.commit()
    app.config["CURATOR_MAIL"] = "digest"
    assert notices.digest() == 2
    told = {m["To"]: m.get_content() for m in outbox()}
    assert "3. Dezember 2026" in told[curator.email]
    assert "3 December 2026" in told[english.email]


def test_an_address_without_an_account_is_written_to_in_english_unless_told(
    app, ctx, make_solution, outbox
):
    solution = make_solution(status=Status.PUBLISHED)
    context = {"solution": solution, "hours": 24, "token": "t"}
    with app.test_request_context("/?lang=pt"), languages_rendered(app) as seen:
        assert i18n.current_language() == "pt"
        with unit_of_work():
            mail.notify("contact_confirm", "stranger@example.org", **context)
        assert set(seen.values()) == {"en"}  # the sender's language is not the recipient's
        with unit_of_work():
            # A visitor who wrote in through a form: the caller passes the request's language.
            mail.notify(
                "contact_confirm",
                "visitor@example.org",
                language=i18n.current_language(),
                **context,
            )
        assert set(seen.values()) == {"pt"}
        assert i18n.current_language() == "pt"  # the request's language is left as it was
    assert len(outbox()) == 2


def test_language_of_an_account_falls_back_to_english(make_user):
    assert mail.language_of(make_user(language="it")) == "it"
    assert mail.language_of(make_user()) == "en"
    assert mail.language_of(None) == "en"


def test_a_reporter_hears_the_outcome_in_the_language_they_reported_in(
    app, client, client_for, make_user, make_solution, outbox
):
    entry = make_solution(title="Bike counters on every bridge")
    curator = make_user(role="curator", language="fr")
    response = client.post(
        f"/solutions/{entry.slug}/report?lang=it",
        data={"reason": "outdated", "text": "Finito nel 2023.", "reporter_email": "a@example.org"},
    )
    assert response.status_code == 302
    report = db.session.scalar(db.select(Report))
    assert report.language == "it"
    with languages_rendered(app) as seen:
        client_for(curator).post(
            f"/curate/reports/{report.id}?lang=fr", data={"decision": "dismiss", "note": "Ok."}
        )
    assert seen["mail/report_outcome/subject.txt"] == "it"


def test_a_password_reset_is_mailed_in_the_account_s_language(app, client, make_user, outbox):
    user = make_user(role="curator", language="pt")
    with languages_rendered(app) as seen:
        client.post("/reset?lang=de", data={"email": user.email}).close()  # mailed on close
    assert seen["mail/password_reset/body.txt"] == "pt"


def test_an_invitation_is_written_in_the_language_the_admin_chose_for_it(
    app, client_for, make_user, porto, outbox
):
    admin = make_user(role="admin", language="en")
    with languages_rendered(app) as seen:
        response = client_for(admin).post(
            "/curate/users/invite",
            data={
                "email": "ana@porto.example",
                "role": "publisher",
                "city": "porto",
                "language": "pt",
            },
        )
    assert response.status_code == 302
    assert seen["mail/invitation/body.txt"] == "pt"
    invitee = db.session.scalar(db.select(User).where(User.email == "ana@porto.example"))
    assert invitee.language == "pt"  # the site greets them in it too, until they choose
