"""Control characters never reach stored text, mail headers or PostgreSQL."""

import pytest
from werkzeug.datastructures import MultiDict

from marketplace.forms.entry import EntryForm
from marketplace.forms.exchange import ContactForm
from marketplace.mail import _build
from marketplace.services import entries
from marketplace.text import clean_line, clean_text, has_controls

HOSTILE = ["\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\x00", "\x1b", "\x7f"]


@pytest.mark.parametrize("char", HOSTILE)
def test_a_single_line_loses_every_control_character(char):
    assert clean_line(f"Smart{char}bins") == "Smart bins"
    assert has_controls(f"Smart{char}bins")
    assert not has_controls("Smart bins — Łódź")


def test_multi_line_text_keeps_line_breaks_and_tabs_only():
    assert clean_text("a\r\nb\rc\x0bd\u2028e\tf\x00g\x1b") == "a\nb\nc\nd\ne\tfg"
    assert not has_controls("a\r\nb\n\tc", multiline=True)
    assert has_controls("a\x00b", multiline=True)
    assert clean_line(None) is None
    assert clean_text(None) is None


def test_forms_clean_what_was_posted(app):
    posted = MultiDict(
        {
            "title": "Smart\nbins\x0bfor\u2028Braga\x00",
            "description": "Line one\r\nLine two\x00",
            "subject": "Hello\x85there",
            "message": "First\r\nsecond\x1b",
        }
    )
    with app.test_request_context(method="POST", data=posted):
        entry = EntryForm(formdata=posted)
        contact = ContactForm(formdata=posted)
    assert entry.title.data == "Smart bins for Braga"
    assert entry.description.data == "Line one\nLine two"
    assert contact.subject.data == "Hello there"
    assert contact.message.data == "First\nsecond"


def test_the_entry_rules_refuse_control_characters_posted_around_the_form():
    found = entries.problems({"title": "Smart\nbins", "description": "ok\nok\x00"}, submit=False)
    assert set(found) == {"title", "description"}
    assert "control characters" in found["title"]
    assert "description" not in entries.problems({"title": "x", "description": "a\nb"}, False)


@pytest.mark.parametrize("char", HOSTILE)
def test_a_mail_subject_from_a_hostile_title_is_one_clean_line(app, char):
    with app.app_context():
        message = _build("site@example.org", "ana@example.org", f"Re: A{char}B", "body", None)
    assert message["Subject"] == "Re: A B"


def test_curators_comments_lose_control_characters(ctx, make_solution, curator, outbox):
    from marketplace.extensions import db
    from marketplace.models import ModerationEvent
    from marketplace.services import curation
    from marketplace.services.errors import ValidationFailed
    from marketplace.vocab import Status

    solution = make_solution(status=Status.SUBMITTED)
    with pytest.raises(ValidationFailed):  # NUL alone is no reason
        curation.decide(curator, solution.id, "reject", "\x00")
    curation.decide(curator, solution.id, "request_changes", "Add\x00 figures\x1b")
    comments = db.session.scalars(db.select(ModerationEvent.comment)).all()
    assert comments == ["Add figures"]
