"""The unit of work: one write transaction per service call, commit once, mail after commit."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from marketplace import mail
from marketplace.database import current_unit, transactional, unit_of_work
from marketplace.extensions import db
from marketplace.models import City, Solution, User
from marketplace.services.errors import InvalidTransition, ValidationFailed

SERVICES = Path(__file__).resolve().parent.parent / "marketplace" / "services"


def _commits_in(path: Path) -> list[str]:
    """Every call of ``.commit()`` / ``begin_write()`` in a module, as "file:line"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in ("commit", "begin_write"):
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_service_commits_outside_the_unit_of_work():
    modules = sorted(SERVICES.glob("*.py"))
    assert len(modules) > 10
    assert [hit for path in modules for hit in _commits_in(path)] == []


def test_the_check_finds_a_commit(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("def save():\n    db.session.commit()\n")
    assert _commits_in(module) == ["bad.py:2"]


def _city(slug: str) -> City:
    return City(slug=slug, name=slug.title(), country="PT", role="core")


def _cities() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(City.slug).order_by(City.slug)))


def test_a_unit_commits_once_at_the_end(ctx):
    with unit_of_work():
        db.session.add(_city("braga"))
        db.session.flush()
    assert _cities() == ["braga"]


def test_any_exception_rolls_the_whole_unit_back(ctx):
    @transactional
    def half_done() -> None:
        db.session.add(_city("braga"))
        db.session.flush()
        raise ValidationFailed("no")

    with pytest.raises(ValidationFailed):
        half_done()
    assert not db.session().in_transaction()  # the write lock is not held after a refusal
    assert _cities() == []


def test_a_nested_service_joins_the_outer_unit(ctx):
    @transactional
    def inner() -> None:
        db.session.add(_city("porto"))

    @transactional
    def outer() -> None:
        inner()
        db.session.flush()
        raise RuntimeError("the outer unit fails after the inner one returned")

    with pytest.raises(RuntimeError):
        outer()
    assert _cities() == []  # the inner call did not commit early


def test_after_commit_work_runs_only_after_a_commit(ctx, app):
    seen = []

    def look() -> None:  # reads through another connection: only committed rows are visible
        with db.engine.connect() as other:
            seen.append(list(other.scalars(select(City.slug))))

    with unit_of_work():
        db.session.add(_city("braga"))
        current_unit().after_commit(look, "look")
        assert seen == []
    assert seen == [["braga"]]

    @transactional
    def refused() -> None:
        current_unit().after_commit(look, "look")
        raise ValidationFailed("refused")

    with pytest.raises(ValidationFailed):
        refused()
    assert seen == [["braga"]]


def test_failed_after_commit_work_never_undoes_the_decision(ctx, caplog):
    def broken() -> None:
        raise OSError("disk full")

    with unit_of_work() as unit:
        db.session.add(_city("braga"))
        unit.after_commit(broken, "mail to ana@example.org")
    assert unit.failed == ["mail to ana@example.org"]
    assert _cities() == ["braga"]
    assert "after-commit work failed: mail to ana@example.org" in caplog.text


def test_mail_is_sent_after_the_commit_and_not_on_a_rollback(ctx, outbox):
    @transactional
    def decide_then_refuse() -> None:
        mail.send_after_commit("ana@example.org", "Decided", "body")
        raise ValidationFailed("the decision is refused after all")

    with pytest.raises(ValidationFailed):
        decide_then_refuse()
    assert outbox() == []
    with unit_of_work():
        mail.send_after_commit("ana@example.org", "Decided", "body")
        assert outbox() == []
    assert [m["Subject"] for m in outbox()] == ["Decided"]


def test_a_refused_mail_is_kept_for_a_retry(ctx, app, outbox):
    smtp = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_TIMEOUT")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9, SMTP_SECURITY="none", SMTP_TIMEOUT=2)
    with unit_of_work() as unit:
        db.session.add(_city("braga"))
        mail.send_after_commit("ana@example.org", "Decided", "body")
    assert unit.failed == ["mail to ana@example.org"]
    assert _cities() == ["braga"]
    assert mail.retry_unsent() == (0, 1)  # still refused: still kept
    app.config.update(smtp)
    assert mail.retry_unsent() == (1, 0)
    assert [m["To"] for m in outbox()] == ["ana@example.org"]
    assert mail.retry_unsent() == (0, 0)


def test_mail_needs_a_unit_of_work(ctx):
    with pytest.raises(RuntimeError, match="no unit of work"):
        mail.send_after_commit("ana@example.org", "Decided", "body")


def test_a_lost_version_race_is_a_domain_error(ctx, make_solution):
    solution = make_solution()
    table = Solution.__table__

    @transactional
    def edit() -> None:
        # Another writer committed a new version between our read and our write.
        db.session.execute(
            update(table).where(table.c.id == solution.id).values(version=table.c.version + 1)
        )
        solution.title = "Our edit"

    with pytest.raises(InvalidTransition, match="Someone else changed this"):
        edit()
    assert db.session.get(Solution, solution.id).title != "Our edit"


def test_a_commit_outside_a_unit_is_refused_inside_a_request(app):
    with app.test_request_context("/"):
        db.session.add(_city("braga"))
        with pytest.raises(RuntimeError, match="outside a unit of work"):
            db.session.commit()
        db.session.rollback()


def test_a_unit_started_after_changes_refuses(ctx):
    db.session.add(_city("braga"))
    db.session.flush()
    with pytest.raises(RuntimeError, match="before the first change"):  # noqa: SIM117
        with unit_of_work():
            pass
    db.session.rollback()


SIGN_INS = textwrap.dedent(
    """
    import sys, time
    from marketplace import create_app
    from marketplace.services import accounts

    data_dir, database, start, rounds = sys.argv[1:3] + [float(sys.argv[3]), int(sys.argv[4])]
    app = create_app({"DATA_DIR": data_dir, "DATABASE_URL": database or None,
                      "SECRET_KEY": "test-secret", "TESTING": True})
    errors = 0
    with app.app_context():
        time.sleep(max(0.0, start - time.time()))  # every process starts at the same moment
        for _ in range(rounds):
            try:
                user = accounts.authenticate("ana@example.org", "correct horse battery")
                assert user is not None, "refused a correct password"
            except Exception as error:
                errors += 1
                print(type(error).__name__, error, file=sys.stderr)
    print(errors)
    """
)


def test_concurrent_sign_ins_over_several_processes_all_succeed(app, make_user):
    make_user(email="ana@example.org")
    database = app.config["DATABASE_URL"] or ""
    db.engine.dispose()
    start = time.time() + 3.0  # time for every interpreter to import the app
    workers = [
        subprocess.Popen(  # noqa: S603 (our own interpreter and script)
            [sys.executable, "-c", SIGN_INS, app.config["DATA_DIR"], database, str(start), "6"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [worker.communicate(timeout=120) for worker in workers]
    assert [(out.strip(), err) for out, err in results] == [("0", "")] * 4
    user = db.session.scalar(select(User).where(User.email == "ana@example.org"))
    assert user.last_login_at is not None
