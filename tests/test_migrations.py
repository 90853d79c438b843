"""The committed Alembic migrations build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from databases import release
from sqlalchemy import select

from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import City


@pytest.fixture
def fresh_app(tmp_path, databases):
    """An app on a database without tables (a new SQLite file, or a new PostgreSQL database)."""
    blank = databases.blank()
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATA_DIR": str(tmp_path), **blank})
    yield app
    release(app)
    databases.discard(blank)


def _upgrade(app):
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output


def test_upgrade_builds_the_schema_of_the_models(fresh_app):
    _upgrade(fresh_app)
    with fresh_app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        assert compare_metadata(context, db.metadata) == []


def test_upgrade_again_keeps_existing_data(fresh_app):
    _upgrade(fresh_app)
    with fresh_app.app_context():
        db.session.add(City(slug="kept", name="Kept", country="PT", role="core"))
        db.session.commit()
    _upgrade(fresh_app)
    with fresh_app.app_context():
        assert db.session.scalar(select(City.name).where(City.slug == "kept")) == "Kept"


def test_session_token_migration_keeps_accounts_and_their_history(fresh_app):
    """Upgrading a database of the previous schema gives every account its own token."""
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "5ad81a48b704"]).exit_code == 0
    with fresh_app.app_context(), db.engine.begin() as connection:
        connection.execute(
            db.text(
                "INSERT INTO city (id, slug, name, country, role, profile, website, sample,"
                " created_at) VALUES (1, 'porto', 'Porto', 'PT', 'mentor', '', '', :no,"
                " '2025-01-01 00:00:00')"
            ),
            {"no": False},
        )
        for n in (1, 2):
            connection.execute(
                db.text(
                    'INSERT INTO "user" (id, email, display_name, password_hash, role, city_id,'
                    " active, created_at) VALUES (:n, :email, :name, '', 'publisher', 1, :yes,"
                    " '2025-01-01 00:00:00')"
                ),
                {"n": n, "email": f"u{n}@x.example", "name": f"U{n}", "yes": True},
            )
    _upgrade(fresh_app)
    with fresh_app.app_context():
        rows = db.session.execute(
            db.text('SELECT email, session_token FROM "user" ORDER BY id')
        ).all()
    assert [email for email, _ in rows] == ["u1@x.example", "u2@x.example"]
    tokens = {token for _, token in rows}
    assert len(tokens) == 2
    assert all(len(token) >= 40 for token in tokens)
