"""The committed Alembic migrations build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import City


@pytest.fixture
def fresh_app(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATA_DIR": str(tmp_path)})
    yield app
    with app.app_context():
        db.engine.dispose()


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
