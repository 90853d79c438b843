"""Two web nodes on one PostgreSQL database: each its own data dir and index, shared uploads.

Node A takes every write; node B only reads, and its search still follows each change within
SEARCH_CATCHUP_INTERVAL, because a search first applies the outbox rows its index lacks.
"""

import io
import shutil
import time

import pytest
from databases import release
from PIL import Image
from sqlalchemy import event

from marketplace import create_app, search
from marketplace.database import unit_of_work
from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.services import moderation
from marketplace.vocab import Status

INTERVAL = 0.2  # seconds; small, so the test does not wait long


@pytest.fixture
def shared(tmp_path):
    """The storage directory both nodes mount."""
    return tmp_path / "shared-uploads"


@pytest.fixture
def node_a(app, ctx, databases, shared):
    if not databases.postgresql:
        pytest.skip(
            "several web nodes share one PostgreSQL database: run with --database=postgresql"
        )
    app.config["STORAGE_DIR"] = str(shared)
    search.rebuild()
    return app


@pytest.fixture
def node_b(node_a, tmp_path, empty_data_dir, shared):
    """A second app instance: its own data dir and index, node A's database and storage dir."""
    data_dir = shutil.copytree(empty_data_dir, tmp_path / "node-b")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": node_a.config["SECRET_KEY"],  # the nodes share sessions
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": node_a.config["DATABASE_URL"],
            "STORAGE_DIR": str(shared),
            "SEARCH_ENCODER": "none",
            "SEARCH_EMBED_IN_BACKGROUND": False,
            "SEARCH_CATCHUP_INTERVAL": INTERVAL,
            "SEARCH_CATCHUP_WAIT": 60.0,  # the drain finishes first, however loaded the machine
        }
    )
    with app.app_context():
        search.rebuild()
    yield app
    release(app)


@pytest.fixture
def publisher(make_user, make_city, taxonomy):
    city = make_city(slug="espoo", name="Espoo", country="FI")
    return make_user(email="p@espoo.example", role="publisher", city=city)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def on_a(app, work):
    """A write through node A, as its views make one (the request's end drains A's index)."""
    with app.test_request_context("/", method="POST"), unit_of_work():
        work()


def commits(app) -> list[object]:
    """Every transaction node ``app`` commits from now on."""
    seen = []
    with app.app_context():
        event.listen(db.engine, "commit", seen.append)
    return seen


def found_on(client, words: str) -> int:
    """Entries node B's search finds, asked once the catch-up interval has passed."""
    time.sleep(INTERVAL)
    return client.get("/api/v1/solutions", query_string={"q": words}).get_json()["total"]


def test_node_b_follows_what_node_a_publishes_edits_and_archives(
    node_a, node_b, publisher, client_for
):
    written_on_b = commits(node_b)
    b = node_b.test_client()
    upload = client_for(publisher).post(
        "/my/entries/new",
        data={
            "title": "Library robots",
            "action": "save",
            "image_alt": "A robot in a library",
            "image": (io.BytesIO(png()), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    entry = db.session.scalar(db.select(Solution))
    assert found_on(b, "robots") == 0

    on_a(node_a, lambda: moderation.apply_transition(entry, Status.SUBMITTED, publisher))
    on_a(node_a, lambda: moderation.apply_transition(entry, Status.PUBLISHED, None))
    assert found_on(b, "robots") == 1
    with b.get(f"/media/{entry.image}") as image:  # stored by node A, served by node B
        assert image.status_code == 200
        assert image.mimetype == "image/png"

    def edit():
        entry.title = "Library drones"

    on_a(node_a, edit)
    assert found_on(b, "drones") == 1
    assert found_on(b, "robots") == 0

    on_a(node_a, lambda: moderation.apply_transition(entry, Status.ARCHIVED, None))
    assert found_on(b, "drones") == 0

    assert written_on_b == []  # node B caught up without committing anything
    health = b.get("/healthz").get_json()["search"]
    assert health["pending"] == 0
    assert health["applied_outbox_id"] == health["latest_outbox_id"]
    assert not search.check()  # node A's index
    with node_b.app_context():
        assert not search.check()
    for node in (node_a, node_b):
        result = node.test_cli_runner().invoke(args=["search", "check"])
        assert result.exit_code == 0, result.output
