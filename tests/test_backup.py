"""Backups and the restore drill: backup, restore elsewhere (either database kind), same site."""

from __future__ import annotations

import difflib
import io
import json
import re
import tarfile
import threading
from pathlib import Path

import pytest
from databases import release
from flask import Flask
from PIL import Image
from postgres import create_database, drop_database, unavailable, unique_name
from sqlalchemy import func, inspect, select
from support import TEST_CONFIG, sign_in

from marketplace import backup, create_app, search
from marketplace.backup import archive, schema
from marketplace.extensions import db
from marketplace.mail import OUTBOX, UNSENT
from marketplace.models import AuditEvent, City, ModerationEvent, SearchChange, Solution, User
from marketplace.services import curation, images
from marketplace.vocab import Status


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 160, 90)).save(out, "PNG")
    return out.getvalue()


def _add_image(app: Flask) -> str:
    """Give the first published entry an uploaded image, as the entry form does."""
    with app.app_context():
        name = images.save(images.prepare(io.BytesIO(_png())))
        entry = db.session.scalars(
            select(Solution).where(Solution.status == Status.PUBLISHED).order_by(Solution.id)
        ).first()
        entry.image, entry.image_alt = name, "A green square"
        db.session.commit()
    return name


class Target:
    """Fresh places to restore into: a new data dir and a new, empty database of a given kind."""

    def __init__(self, tmp_path: Path, databases):
        self.tmp_path, self.databases = tmp_path, databases
        self.apps: list[Flask] = []
        self.made: list[str] = []

    def app(self, kind: str, name: str = "target", **overrides) -> Flask:
        settings = {"DATA_DIR": str(self.tmp_path / name)}
        if kind == "postgresql":
            database = unique_name("mp_restore")
            self.made.append(database)
            settings["DATABASE_URL"] = create_database(database).render_as_string(
                hide_password=False
            )
        app = create_app({**TEST_CONFIG, **settings, **overrides})
        self.apps.append(app)
        return app

    def close(self) -> None:
        for app in self.apps:
            release(app)
        for database in self.made:
            drop_database(database)


@pytest.fixture
def target(tmp_path, databases):
    made = Target(tmp_path, databases)
    yield made
    made.close()


@pytest.fixture
def kind(request):
    return request.config.getoption("database")


def _other(kind: str) -> str:
    return "sqlite" if kind == "postgresql" else "postgresql"


def _backup(app: Flask, path: Path) -> dict:
    result = app.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    return archive.read_manifest(path)


def _restore(app: Flask, path: Path) -> str:
    result = app.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


CSRF = re.compile(rb'(name="csrf_token"[^>]*value=")[^"]+"')  # a new token per session


def _pages(app: Flask) -> dict[str, bytes]:
    """What visitors, the API and a curator get: every public page kind, searches with facets."""
    with app.app_context():
        slugs = db.session.scalars(
            select(Solution.slug).where(Solution.status == Status.PUBLISHED).order_by(Solution.id)
        ).all()
        images_shown = db.session.scalars(select(Solution.image).where(Solution.image != "")).all()
        curator = db.session.scalars(select(User).where(User.role == "curator")).first()
    paths = [
        "/",
        "/solutions",
        "/solutions?q=energy",
        "/solutions?q=open+data&country=ES&country=IT&kind=solution",
        "/solutions?q=mobility&sort=newest&page=2",
        "/solutions?lang=es&q=movilidad+urbana",
        "/cities",
        "/tracks",
        "/api/v1/solutions?per_page=100",
        "/api/v1/solutions?q=green+buildings&maturity=pilot",
        "/api/v1/solutions?q=ayudar+a+las+tiendas",
        "/search/suggest?q=sma",
        *(f"/solutions/{slug}" for slug in slugs),
        *(f"/media/{name}" for name in images_shown),
    ]
    client = app.test_client()
    pages = {}
    for path in paths:
        with client.get(path) as response:  # closes the image files sent
            assert response.status_code == 200, path
            pages[path] = CSRF.sub(rb'\1"', response.data)
    for path in re.findall(r'href="(/cities/[^"?#]+)"', pages["/cities"].decode()):
        pages[path] = CSRF.sub(rb'\1"', client.get(path).data)
    for path in re.findall(r'href="(/(?:tracks|challenges)/[^"?#]+)"', pages["/tracks"].decode()):
        pages[path] = CSRF.sub(rb'\1"', client.get(path).data)
    as_curator = sign_in(app.test_client(), curator)
    for path in ("/curate", "/curate/audit", "/curate/reports"):
        pages[f"curator {path}"] = CSRF.sub(rb'\1"', as_curator.get(path).data)
    return pages


def _assert_same(restored: dict[str, bytes], original: dict[str, bytes]) -> None:
    assert restored.keys() == original.keys()
    for path, page in original.items():
        if restored[path] != page:
            diff = difflib.unified_diff(
                page.decode(errors="replace").splitlines(),
                restored[path].decode(errors="replace").splitlines(),
                lineterm="",
                n=1,
            )
            pytest.fail(f"{path} differs after the restore:\n" + "\n".join(list(diff)[:40]))


@pytest.mark.parametrize("where", ["same kind", "other kind"])
def test_restore_drill_serves_the_same_site(demo_app, target, tmp_path, kind, where):
    """Back up the demo catalogue (with an image), restore it into a new data dir and a new
    database, and every page, API answer and search result is the same, byte for byte."""
    restore_kind = kind if where == "same kind" else _other(kind)
    if "postgresql" in (kind, restore_kind) and (reason := unavailable()):
        pytest.skip(reason)
    name = _add_image(demo_app)
    with demo_app.app_context():
        search_rows = db.session.scalar(select(func.count()).select_from(SearchChange))
    path = tmp_path / "backup.tar.gz"
    manifest = _backup(demo_app, path)
    assert manifest["database"] == kind
    assert manifest["images"] == 1
    assert manifest["tables"]["solution"]["rows"] >= 60
    assert manifest["tables"]["search_outbox"]["rows"] == search_rows
    assert f"uploads/{name}" in manifest["members"]
    with tarfile.open(path) as tar:
        assert not [m for m in tar.getnames() if m.startswith("search")]  # derived: not kept

    restored = target.app(restore_kind)
    output = _restore(restored, path)
    assert "Search index rebuilt" in output
    assert ("logical export" in output) == (where == "other kind")
    with demo_app.app_context():
        # A fresh index on both sides: the original's was updated in place (the image), and
        # BM25 statistics of an updated index count its deleted documents until a merge.
        search.rebuild()
    _assert_same(_pages(restored), _pages(demo_app))
    with restored.app_context():
        assert (images.folder() / name).read_bytes() == (
            Path(demo_app.config["DATA_DIR"]) / "uploads" / name
        ).read_bytes()
        # New rows get new ids after the restored ones (PostgreSQL's sequences moved on).
        solution = db.session.scalars(select(Solution)).first()
        db.session.add(ModerationEvent(solution=solution, from_status="x", to_status="y"))
        db.session.commit()


def test_without_pg_dump_the_logical_export_restores_the_same_site(
    demo_app, target, tmp_path, kind
):
    """PostgreSQL without its client programs (or with ones older than the server): the
    backup holds the logical export, read in the same snapshot, and restores as well."""
    if kind != "postgresql":
        pytest.skip("pg_dump is PostgreSQL's")
    nowhere = tmp_path / "no-client-programs"
    nowhere.mkdir()
    demo_app.config["POSTGRES_BIN_DIR"] = str(nowhere)
    path = tmp_path / "backup.tar.gz"
    result = demo_app.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert "pg_dump not found: the backup holds the logical export only" in result.output
    manifest = archive.read_manifest(path)
    assert manifest["native"] is None
    assert "database.pgdump" not in manifest["members"]
    restored = target.app("postgresql", POSTGRES_BIN_DIR=str(nowhere))
    assert "(logical export)" in _restore(restored, path)
    _assert_same(_pages(restored), _pages(demo_app))


def test_pg_dump_backup_restores_without_pg_restore(demo_app, target, tmp_path, kind):
    if kind != "postgresql":
        pytest.skip("pg_restore is PostgreSQL's")
    path = tmp_path / "backup.tar.gz"
    assert _backup(demo_app, path)["native"] == "database.pgdump"
    nowhere = tmp_path / "no-client-programs"
    nowhere.mkdir()
    restored = target.app("postgresql", POSTGRES_BIN_DIR=str(nowhere))
    output = _restore(restored, path)
    assert "No pg_restore that reads this dump: restored from the logical export." in output
    _assert_same(_pages(restored), _pages(demo_app))


def _entry_states(app: Flask) -> tuple[dict[int, str], dict[int, list[str]], int, int]:
    with app.app_context():
        statuses = dict(db.session.execute(select(Solution.id, Solution.status)).all())
        events: dict[int, list[str]] = {}
        for solution_id, to_status in db.session.execute(
            select(ModerationEvent.solution_id, ModerationEvent.to_status).order_by(
                ModerationEvent.id
            )
        ):
            events.setdefault(solution_id, []).append(to_status)
        audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
        outbox = db.session.scalar(select(func.count()).select_from(SearchChange))
    return statuses, events, audits, outbox


def test_a_backup_taken_while_curators_write_is_one_committed_state(
    demo_app, target, tmp_path, kind
):
    """Archive and republish entries in another thread throughout the backup: the restored
    catalogue is one state that was committed (each entry's status is its last moderation
    event's, and the events, audit rows and outbox rows all stop at the same decision)."""
    with demo_app.app_context():
        curator_id = db.session.scalar(select(User.id).where(User.role == "curator"))
        entry_ids = db.session.scalars(
            select(Solution.id).where(Solution.status == Status.PUBLISHED).limit(3)
        ).all()
    committed: list[tuple[int, int, int]] = []  # (events, audits, outbox) after each decision
    stop, wrote = threading.Event(), threading.Condition()
    failures: list[BaseException] = []

    def count() -> tuple[int, int, int]:
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (ModerationEvent, AuditEvent, SearchChange)
        )

    def write() -> None:
        try:
            with demo_app.app_context():
                curator = db.session.get(User, curator_id)
                n = 0
                while not stop.is_set():
                    entry = entry_ids[n % len(entry_ids)]
                    if n // len(entry_ids) % 2 == 0:
                        curation.archive(curator, entry, f"Archived during backup {n}")
                    else:
                        curation.republish(curator, entry, f"Back {n}")
                    state = count()
                    db.session.commit()  # end the read transaction of count()
                    with wrote:
                        committed.append(state)
                        wrote.notify_all()
                    n += 1
        except BaseException as error:  # reported by the test below
            with wrote:
                failures.append(error)
                wrote.notify_all()

    def wait_for(commits: int) -> None:
        with wrote:
            assert wrote.wait_for(lambda: len(committed) >= commits or failures, timeout=60)

    def during(line: str) -> None:
        if line.startswith("Exporting the rows"):  # the snapshot is taken: let writes go on
            wait_for(len(committed) + 3)

    writer = threading.Thread(target=write)
    writer.start()
    path = tmp_path / "backup.tar.gz"
    try:
        wait_for(1)
        with demo_app.app_context():
            backup.create(path, progress=during)
    finally:
        stop.set()
        writer.join(60)
    assert not failures, failures

    restored = target.app(kind)
    _restore(restored, path)
    statuses, events, audits, outbox = _entry_states(restored)
    # A state committed before the backup's snapshot, not one of the writes made after it.
    assert (sum(len(e) for e in events.values()), audits, outbox) in committed[:-2]
    for entry in entry_ids:
        assert statuses[entry] == events[entry][-1]


def test_restore_refuses_a_database_that_holds_data(demo_app, tmp_path):
    path = tmp_path / "backup.tar.gz"
    _backup(demo_app, path)
    result = demo_app.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code != 0
    assert "The target database already holds data" in result.output
    assert "restore goes only into an empty database" in result.output


def test_restore_refuses_a_data_dir_with_uploaded_images(demo_app, target, tmp_path, kind):
    _add_image(demo_app)
    path = tmp_path / "backup.tar.gz"
    _backup(demo_app, path)
    restored = target.app(kind)
    with restored.app_context():
        images.save(images.prepare(io.BytesIO(_png())))
    result = restored.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code != 0
    assert "already holds uploaded images: restore into an empty data dir" in result.output


def test_a_failed_restore_leaves_the_target_empty_to_run_again(
    demo_app, target, tmp_path, kind, monkeypatch
):
    """A restore that fails at its last step (here: the images, after the rows came in) takes
    out what it brought, so the same command can simply be run again."""
    name = _add_image(demo_app)
    path = tmp_path / "backup.tar.gz"
    _backup(demo_app, path)
    restored = target.app(kind)
    copy_file = archive.copy_file

    def fail_after_the_first_image(source, destination, mode=None):
        copy_file(source, destination, mode)
        raise OSError("No space left on device")

    monkeypatch.setattr(archive, "copy_file", fail_after_the_first_image)
    result = restored.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code != 0
    with restored.app_context():
        with db.engine.connect() as connection:
            assert schema.tables_with_rows(connection) == []
        assert not (images.folder() / name).exists()
    monkeypatch.setattr(archive, "copy_file", copy_file)
    _restore(restored, path)
    with restored.app_context():
        assert (images.folder() / name).is_file()
        assert db.session.scalar(select(func.count()).select_from(Solution)) > 0


def _rewrite(path: Path, change) -> Path:
    """A copy of the archive ``path`` with ``change(name, data) -> data`` applied to members."""
    copy = path.with_name("changed.tar.gz")
    with tarfile.open(path) as source, tarfile.open(copy, "w:gz") as out:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return copy


def _manifest_change(**fields):
    def change(name: str, data: bytes) -> bytes:
        if name != archive.MANIFEST:
            return data
        return json.dumps({**json.loads(data), **fields}).encode()

    return change


def _add_city(app: Flask, name: str) -> None:
    # Not through the make_* fixtures: their app context would also run the target's commands.
    with app.app_context():
        db.session.add(City(slug="kept", name=name, country="PT", role="core"))
        db.session.commit()


@pytest.fixture
def small_backup(app, tmp_path):
    _add_city(app, "Kept in the backup")
    path = tmp_path / "backup.tar.gz"
    _backup(app, path)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda name, data: (
                data.replace(b"Kept in", b"Lost in") if name == "rows/city.jsonl" else data
            ),
            "is damaged: rows/city.jsonl does not match its checksum",
        ),
        (
            _manifest_change(schema_revision="ffffffffffff", app_version="9.0.0"),
            "schema revision ffffffffffff is unknown to this version of the marketplace: it was "
            "made by a newer one (9.0.0)",
        ),
        (_manifest_change(format_version=99), "is in backup format 99, newer than"),
        (lambda name, data: b"{}" if name == archive.MANIFEST else data, "no manifest"),
    ],
    ids=["damaged", "newer schema", "newer format", "not a backup"],
)
def test_restore_refuses_archives_it_cannot_trust(small_backup, target, kind, change, message):
    restored = target.app(kind)
    result = restored.test_cli_runner().invoke(
        args=["restore", str(_rewrite(small_backup, change))]
    )
    assert result.exit_code != 0
    assert message in result.output
    with restored.app_context(), db.engine.connect() as connection:
        assert not inspect(connection).get_table_names()  # nothing was written


def test_restore_refuses_a_file_that_is_not_an_archive(target, tmp_path, kind):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    result = target.app(kind).test_cli_runner().invoke(args=["restore", str(junk)])
    assert result.exit_code != 0
    assert "is not a marketplace backup archive" in result.output


def test_the_generated_secret_key_and_kept_mail_travel_and_the_index_does_not(
    app, target, tmp_path, kind, build_index
):
    _add_city(app, "Porto")
    build_index()
    data_dir = Path(app.config["DATA_DIR"])
    (data_dir / "secret_key").write_text("generated-secret")
    kept = data_dir / OUTBOX / UNSENT / "20260101-message.eml"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"Subject: refused\n\nbody\n")
    (data_dir / OUTBOX / "sent-copy.eml").write_bytes(b"Subject: sent\n\n")
    path = tmp_path / "backups"
    path.mkdir()
    result = app.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    (written,) = path.glob("marketplace-*.tar.gz")  # a directory gets a time-stamped file
    assert written.stat().st_mode & 0o777 == 0o600  # password hashes and the secret key
    manifest = archive.read_manifest(written)
    assert manifest["secret_key"] is True
    assert manifest["unsent_mail"] == 1
    assert not [m for m in manifest["members"] if m.startswith("search")]
    assert f"Backup written to {written}" in result.output

    restored = target.app(kind, SECRET_KEY=None)
    # A database that only had `db upgrade` (its migrations write one counter row) is empty.
    assert restored.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    output = _restore(restored, written)
    assert "The secret key was restored: restart the web processes" in output
    restored_dir = Path(restored.config["DATA_DIR"])
    assert (restored_dir / "secret_key").read_text() == "generated-secret"
    assert (restored_dir / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (restored_dir / OUTBOX / UNSENT / kept.name).read_bytes() == kept.read_bytes()
    assert not (restored_dir / OUTBOX / "sent-copy.eml").exists()
    assert "Search index rebuilt: 0 published entries." in output


def test_backup_into_a_missing_folder_says_so(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "no" / "b.tar.gz")])
    assert result.exit_code != 0
    assert "does not exist" in result.output


def test_an_image_replaced_during_the_backup_makes_it_take_the_snapshot_again(demo_app, tmp_path):
    """A save that replaces an image after the snapshot deletes the file the snapshot names:
    the backup notices the missing file and takes a new snapshot, with the new image."""
    old = _add_image(demo_app)
    new = {}

    def replace_once(line: str) -> None:
        if line.startswith("Exporting the rows") and not new:
            with demo_app.app_context():
                entry = db.session.scalar(select(Solution).where(Solution.image == old))
                new["name"] = images.save(images.prepare(io.BytesIO(_png())))
                entry.image = new["name"]
                db.session.commit()
                images.delete(old)

    path = tmp_path / "backup.tar.gz"
    with demo_app.app_context():
        taken = backup.create(path, progress=replace_once)
    assert taken.notes == []
    assert f"uploads/{new['name']}" in taken.manifest["members"]
    assert f"uploads/{old}" not in taken.manifest["members"]
    assert "missing_images" not in taken.manifest


@pytest.mark.parametrize("where", ["same kind", "other kind"])
def test_a_backup_of_an_older_schema_is_restored_and_upgraded(tmp_path, target, kind, where):
    """A database that was never upgraded to this code's schema: its backup restores at its
    own revision and is then upgraded, keeping the rows."""
    restore_kind = kind if where == "same kind" else _other(kind)
    if "postgresql" in (kind, restore_kind) and (reason := unavailable()):
        pytest.skip(reason)
    old = target.app(kind, "old")
    runner = old.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "5ad81a48b704"]).exit_code == 0
    with old.app_context(), db.engine.begin() as connection:
        connection.execute(
            db.text(
                "INSERT INTO city (id, slug, name, country, role, profile, website, sample,"
                " created_at) VALUES (7, 'porto', 'Porto', 'PT', 'mentor', '', '', :no,"
                " '2025-01-01 00:00:00')"
            ),
            {"no": False},
        )
    path = tmp_path / "old.tar.gz"
    assert _backup(old, path)["schema_revision"] == "5ad81a48b704"
    restored = target.app(restore_kind, "restored")
    _restore(restored, path)
    with restored.app_context():
        assert db.session.get(City, 7).name == "Porto"
        assert db.session.scalar(db.text("SELECT version_num FROM alembic_version")) == (
            backup.schema.head()
        )
