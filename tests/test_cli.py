"""The command-line interface: seed-demo, taxonomy phrases, search rebuild and stats."""

import pytest
from sqlalchemy import delete, func, select

from marketplace.extensions import db
from marketplace.models import SDG, City, ModerationEvent, Solution, TaxonomyPhrase, Track, User
from marketplace.services.demo import DEMO_ACCOUNTS
from marketplace.vocab import Status


def _counts():
    models = (Track, SDG, City, User, Solution, ModerationEvent)
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def test_seed_demo_loads_the_catalogue_and_prints_the_demo_accounts(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Created 5 tracks" in result.output
    for account in DEMO_ACCOUNTS:
        assert account["email"] in result.output
        assert account["password"] in result.output
    assert "Search index rebuilt" in result.output
    with app.app_context():
        counts = _counts()
        published = db.session.scalar(
            select(func.count()).where(Solution.status == Status.PUBLISHED)
        )
    assert counts["Track"] == 5
    assert counts["SDG"] == 17
    assert counts["City"] >= 40
    assert counts["Solution"] >= 60
    assert counts["User"] == len(DEMO_ACCOUNTS)
    assert published > counts["Solution"] / 2


def test_seeding_twice_duplicates_nothing(demo_app):
    with demo_app.app_context():  # seeded once already, by the same service as the command
        before = _counts()
    result = demo_app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "already loaded: nothing to add" in result.output
    with demo_app.app_context():
        assert _counts() == before


def test_seed_demo_if_empty_leaves_a_database_with_data_alone(app, runner, make_city):
    make_city(slug="own-city")
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "already holds data" in result.output
    with app.app_context():
        assert _counts()["Solution"] == 0
        assert _counts()["City"] == 1


def test_seed_demo_if_empty_seeds_an_empty_database(app, runner):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _counts()["Solution"] >= 60


def test_demo_accounts_can_be_checked_with_their_printed_passwords(demo_app):
    with demo_app.app_context():
        for account in DEMO_ACCOUNTS:
            user = db.session.scalar(select(User).where(User.email == account["email"]))
            assert user.role == account["role"]
            assert user.check_password(account["password"])
            assert account["password"] not in user.password_hash


def test_seed_demo_is_refused_in_production(tmp_path):
    from marketplace import create_app

    app = create_app({"ENV": "production", "DATA_DIR": str(tmp_path), "SECRET_KEY": "x"})
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "not in production" in result.output


def test_search_stats_before_any_index_explains_how_to_build_one(runner):
    result = runner.invoke(args=["search", "stats"])
    assert result.exit_code != 0
    assert "search rebuild" in result.output


def test_search_rebuild_indexes_published_entries_only(runner, make_solution):
    make_solution()
    make_solution()
    make_solution(status=Status.DRAFT)
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 published entries" in result.output
    stats = runner.invoke(args=["search", "stats"])
    assert stats.exit_code == 0, stats.output
    assert "Documents: 2" in stats.output


def test_search_rebuild_swaps_in_a_fresh_index_and_removes_the_old_one(app, runner, make_solution):
    make_solution()
    runner.invoke(args=["search", "rebuild"])
    root = app.config["DATA_DIR"] + "/search"
    from pathlib import Path

    first = {p.name for p in Path(root).iterdir()}
    runner.invoke(args=["search", "rebuild"])
    second = {p.name for p in Path(root).iterdir()}
    assert len(first) == len(second) == 2  # the "current" link and one index directory
    assert first != second


def test_users_create_reads_the_password_from_stdin(app, runner, make_city):
    make_city(slug="valongo", name="Valongo")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Rui@Valongo.example",
            "--role",
            "publisher",
            "--city",
            "valongo",
            "--name",
            "Rui",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created city publisher rui@valongo.example." in result.output
    user = db.session.scalar(select(User).where(User.email == "rui@valongo.example"))
    assert user.display_name == "Rui"
    assert user.city.slug == "valongo"
    assert user.check_password("a long enough password")


def test_users_create_with_invite_mails_a_link(app, runner, outbox):
    result = runner.invoke(
        args=["users", "create", "--email", "cur@example.org", "--role", "curator", "--invite"]
    )
    assert result.exit_code == 0, result.output
    assert "Invitation sent to cur@example.org." in result.output
    (message,) = outbox()
    assert "/invite/" in message.get_content()
    assert "/invite/" not in result.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["--email", "x@example.org", "--role", "publisher"],
            "long enough pass\n",
            "belongs to a city",
        ),
        (["--email", "x@example.org", "--role", "curator"], "short\n", "at least 10"),
        (["--email", "nope", "--role", "curator"], "long enough pass\n", "not a valid email"),
    ],
)
def test_users_create_explains_refusals(app, runner, args, stdin, message):
    result = runner.invoke(args=["users", "create", *args], input=stdin)
    assert result.exit_code == 1
    assert message in result.output


def test_search_check_on_a_busy_index_says_so(app, runner, monkeypatch):
    from marketplace import search

    def busy(repair: bool):
        raise search.IndexBusy("Another process is writing the index: try again in a moment.")

    monkeypatch.setattr(search, "check", busy)
    result = runner.invoke(args=["search", "check", "--repair"])
    assert result.exit_code == 1
    assert "try again in a moment" in result.output
    assert "Traceback" not in result.output


def test_taxonomy_phrases_fills_what_an_older_database_lacks(demo_app):
    runner = demo_app.test_cli_runner()
    with demo_app.app_context():
        db.session.execute(delete(TaxonomyPhrase).where(TaxonomyPhrase.phrase == "old town"))
        db.session.commit()
    result = runner.invoke(args=["taxonomy", "phrases"])
    assert result.exit_code == 0, result.output
    assert "Added 1 phrase." in result.output
    assert "Nothing to add." in runner.invoke(args=["taxonomy", "phrases"]).output


def test_taxonomy_phrases_fills_names_in_other_languages_a_term_lacks(demo_app):
    runner = demo_app.test_cli_runner()
    with demo_app.app_context():
        track = db.session.scalar(select(Track).where(Track.slug == "green-economy"))
        track.labels = {"fr": "Un nom choisi par un modérateur"}  # de, es, it, pt missing
        db.session.commit()
    result = runner.invoke(args=["taxonomy", "phrases"])
    assert result.exit_code == 0, result.output
    assert "Added 4 names or descriptions in other languages." in result.output
    with demo_app.app_context():
        track = db.session.scalar(select(Track).where(Track.slug == "green-economy"))
        assert track.labels["fr"] == "Un nom choisi par un modérateur"
        assert set(track.labels) == {"fr", "de", "es", "it", "pt"}


def test_taxonomy_load_creates_the_taxonomy_alone_once(app, runner):
    result = runner.invoke(args=["taxonomy", "load"])
    assert result.exit_code == 0, result.output
    assert "5 tracks" in result.output
    with app.app_context():
        counts = _counts()
    assert counts["Track"] == 5
    assert counts["SDG"] == 17
    assert counts["City"] == counts["User"] == counts["Solution"] == 0
    again = runner.invoke(args=["taxonomy", "load"])
    assert again.exit_code == 0, again.output
    assert "nothing to add" in again.output
    with app.app_context():
        assert _counts() == counts
