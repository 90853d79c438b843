"""Entry images: checked by content, stored under random names, served with the right type."""

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from marketplace.extensions import db
from marketplace.models import Solution


def image_bytes(fmt: str, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 60)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def user(make_user, make_city, taxonomy):
    """Who ``signed_in`` is: a publisher of Espoo (on a catalogue with a taxonomy)."""
    city = make_city(slug="espoo", name="Espoo", country="FI")
    return make_user(email="p@espoo.example", role="publisher", city=city)


def upload(client, payload: bytes, filename: str, **fields):
    data = {
        "title": "Library robots",
        "action": "save",
        "image_alt": "A robot in a library",
        "image": (io.BytesIO(payload), filename),
        **fields,
    }
    return client.post("/my/entries/new", data=data, content_type="multipart/form-data")


def stored_entry() -> Solution:
    db.session.expire_all()
    return db.session.scalar(db.select(Solution))


@pytest.mark.parametrize(
    ("fmt", "filename", "content_type"),
    [
        ("PNG", "logo.png", "image/png"),
        ("JPEG", "photo.JPG", "image/jpeg"),
        ("WEBP", "x.webp", "image/webp"),
    ],
)
def test_real_images_are_stored_and_served_with_their_type(signed_in, fmt, filename, content_type):
    payload = image_bytes(fmt)
    response = upload(signed_in, payload, filename)
    assert response.status_code == 302
    entry = stored_entry()
    assert entry.image.endswith((".png", ".jpg", ".webp"))
    assert filename not in entry.image
    with signed_in.get(f"/media/{entry.image}") as served:
        assert served.status_code == 200
        assert served.mimetype == content_type
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        with Image.open(io.BytesIO(served.data)) as image:  # encoded again, same picture
            assert (image.format, image.size) == (fmt, (40, 30))
            assert image.convert("RGB").getpixel((5, 5))[1] > 100


@pytest.mark.parametrize(
    ("payload", "filename"),
    [
        (b"<script>alert(1)</script>", "innocent.png"),
        (b"GIF89a" + b"\x00" * 40, "anim.png"),
        (image_bytes("PNG")[:60], "truncated.png"),
        (b"", "empty.jpg"),
    ],
)
def test_files_that_are_not_images_are_refused_whatever_their_name(signed_in, payload, filename):
    response = upload(signed_in, payload, filename, description="Kept description")
    assert response.status_code == 400
    assert "Upload a PNG, JPEG or WebP image." in response.text or "empty" in response.text
    assert "Kept description" in response.text
    assert stored_entry() is None


def test_images_over_the_limit_are_refused(app, signed_in):
    app.config["IMAGE_MAX_BYTES"] = 1000
    response = upload(signed_in, image_bytes("PNG", (400, 400)) + b"\x00" * 2000, "big.png")
    assert response.status_code == 400
    assert "larger than" in response.text


def uploads(app) -> list[str]:
    folder = Path(app.config["DATA_DIR"]) / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_refused_save_stores_no_image_and_asks_for_it_again(app, signed_in):
    first = upload(signed_in, image_bytes("PNG"), "logo.png", title="", action="save")
    assert first.status_code == 400  # no title
    assert "choose it again" in first.text
    assert uploads(app) == []
    preview = upload(signed_in, image_bytes("PNG"), "logo.png", action="preview")
    assert preview.status_code == 200
    assert uploads(app) == []


def test_a_replaced_or_removed_image_is_deleted(app, signed_in):
    assert upload(signed_in, image_bytes("PNG"), "logo.png").status_code == 302
    entry = stored_entry()
    first = entry.image
    assert uploads(app) == [first]
    edit = f"/my/entries/{entry.id}/edit"
    data = {"title": "Library robots", "image_alt": "A robot", "image_name": first}
    replaced = signed_in.post(
        edit,
        data={**data, "action": "save", "image": (io.BytesIO(image_bytes("JPEG")), "new.jpg")},
        content_type="multipart/form-data",
    )
    assert replaced.status_code == 302
    second = stored_entry().image
    assert second.endswith(".jpg")
    assert uploads(app) == [second]
    signed_in.post(edit, data={**data, "image_name": second, "remove_image": "y", "action": "save"})
    assert stored_entry().image == ""
    assert uploads(app) == []


def test_an_image_name_of_another_entry_cannot_be_claimed(app, signed_in):
    assert upload(signed_in, image_bytes("PNG"), "logo.png").status_code == 302
    theirs = stored_entry().image
    data = {"title": "Mine", "image_name": theirs, "image_alt": "x", "action": "save"}
    assert signed_in.post("/my/entries/new", data=data).status_code == 302
    mine = db.session.scalar(db.select(Solution).where(Solution.title == "Mine"))
    assert mine.image == ""


def test_metadata_is_stripped_and_truncated_images_are_refused(app, signed_in):
    exif = Image.Exif()
    exif[0x8825] = {2: (41.0, 9.0, 0.0)}  # GPS latitude
    exif[0x010F] = "CameraMaker"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(buffer, format="JPEG", exif=exif.tobytes())
    assert b"CameraMaker" in buffer.getvalue()
    assert upload(signed_in, buffer.getvalue(), "photo.jpg").status_code == 302
    with signed_in.get(f"/media/{stored_entry().image}") as response:
        served = response.data
    assert b"CameraMaker" not in served
    with Image.open(io.BytesIO(served)) as image:
        assert not image.getexif()
    # A PNG whose header promises 600x600 but whose data stops after a few rows.
    whole = image_bytes("PNG", (600, 600))
    cut = whole[: len(whole) // 3] + whole[-12:]
    refused = upload(signed_in, cut, "cut.png", title="Cut")
    assert refused.status_code == 400
    assert "Upload a PNG, JPEG or WebP image." in refused.text


def test_a_form_refused_for_its_csrf_token_stores_no_image(csrf_app, make_user, make_city):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        city = make_city(slug="espoo", name="Espoo", country="FI")
        make_user(email="p@espoo.example", role="publisher", city=city)
    upload(client, image_bytes("PNG"), "logo.png", csrf_token="forged")
    assert uploads(csrf_app) == []


def test_an_image_needs_a_text_alternative(signed_in):
    response = upload(signed_in, image_bytes("PNG"), "logo.png", image_alt="")
    assert response.status_code == 400
    assert "read out to blind users" in response.text


@pytest.mark.parametrize("name", ["../secret_key", "x.png", "0" * 32 + ".gif", "marketplace.db"])
def test_media_serves_only_stored_images(client, name):
    assert client.get(f"/media/{name}").status_code == 404


def test_a_draft_image_is_served_only_to_who_may_see_the_draft(
    app, signed_in, client_for, make_user, make_city, curator
):
    assert upload(signed_in, image_bytes("PNG"), "logo.png").status_code == 302
    entry = stored_entry()
    path = f"/media/{entry.image}"
    with signed_in.get(path) as own:
        assert own.status_code == 200
        assert "no-store" in own.headers["Cache-Control"]
        assert "public" not in own.headers["Cache-Control"]
    with client_for(curator).get(path) as curators:
        assert curators.status_code == 200
    stranger = make_user(role="publisher", city=make_city(name="Braga"))
    for other in (app.test_client(), client_for(stranger)):
        with other.get(path) as refused:
            assert refused.status_code == 404
    entry.status = "published"
    db.session.commit()
    with app.test_client().get(path) as public:
        assert public.status_code == 200
        assert "public" in public.headers["Cache-Control"]
        assert "max-age=3600" in public.headers["Cache-Control"]  # taken down: gone in an hour


def test_an_image_too_large_keeps_the_typed_text(app, signed_in):
    big = b"\x89PNG" + b"\x00" * (9 * 1024 * 1024)  # more than MAX_CONTENT_LENGTH
    # Encoded in memory: the test client's own encoder leaves a temporary file open above 500 KB.
    fields = {"title": "Library robots", "action": "save", "image_alt": "A robot"}
    boundary, body = encode_multipart(
        {
            **fields,
            "description": "Everything I typed",
            "image": FileStorage(io.BytesIO(big), "h.png"),
        }
    )
    response = signed_in.post(
        "/my/entries/new", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400
    assert "Everything I typed" in response.text
    assert "larger than 2 MB" in response.text
    assert uploads(app) == []
    other = signed_in.post("/account", data={"display_name": "x" * (9 * 1024 * 1024)})
    assert other.status_code == 413  # only the entry form reads such requests


def test_media_prune_removes_only_old_unreferenced_files(app, signed_in, runner):
    assert upload(signed_in, image_bytes("PNG"), "logo.png").status_code == 302
    kept = stored_entry().image
    folder = Path(app.config["DATA_DIR"]) / "uploads"
    orphan, fresh = folder / ("a" * 32 + ".png"), folder / ("b" * 32 + ".png")
    orphan.write_bytes(b"old")
    fresh.write_bytes(b"new")
    old = 1_000_000_000
    os.utime(orphan, (old, old))
    os.utime(folder / kept, (old, old))
    result = runner.invoke(args=["media", "prune"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 unreferenced file(s)." in result.output
    assert uploads(app) == sorted([kept, fresh.name])


def test_images_live_in_the_storage_dir_when_one_is_set(app, signed_in, tmp_path, runner):
    shared = tmp_path / "shared-uploads"
    app.config["STORAGE_DIR"] = str(shared)  # as MARKETPLACE_STORAGE_DIR sets it
    assert upload(signed_in, image_bytes("PNG"), "logo.png").status_code == 302
    name = stored_entry().image
    assert [p.name for p in shared.iterdir()] == [name]
    assert uploads(app) == []  # nothing in the data dir
    with signed_in.get(f"/media/{name}") as served:
        assert served.status_code == 200
    orphan = shared / ("c" * 32 + ".png")
    orphan.write_bytes(b"old")
    os.utime(orphan, (1_000_000_000, 1_000_000_000))
    assert runner.invoke(args=["media", "prune"]).exit_code == 0
    assert not orphan.exists()
