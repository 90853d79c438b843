"""Entry images: checked by content, stored under random names, served with the right type."""

import io

import pytest
from PIL import Image

from marketplace.extensions import db
from marketplace.models import Solution

PASSWORD = "correct horse battery"


def image_bytes(fmt: str, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 60)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def signed_in(auth, make_user, make_city, taxonomy):
    city = make_city(slug="espoo", name="Espoo", country="FI")
    user = make_user(email="p@espoo.example", role="publisher", city=city)
    auth.login(user.email, PASSWORD)
    return auth.client


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
        assert served.data == payload


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


def test_an_upload_survives_a_form_shown_again_and_can_be_removed(signed_in):
    first = upload(signed_in, image_bytes("PNG"), "logo.png", title="", action="save")
    assert first.status_code == 400  # no title
    name = first.text.split('name="image_name" type="hidden" value="')[1].split('"')[0]
    assert name.endswith(".png")
    second = signed_in.post(
        "/my/entries/new",
        data={
            "title": "Library robots",
            "image_name": name,
            "image_alt": "A robot",
            "action": "save",
        },
    )
    assert second.status_code == 302
    entry = stored_entry()
    assert entry.image == name
    signed_in.post(
        f"/my/entries/{entry.id}/edit",
        data={"title": "Library robots", "image_name": name, "remove_image": "y", "action": "save"},
    )
    assert stored_entry().image == ""


def test_an_image_needs_a_text_alternative(signed_in):
    response = upload(signed_in, image_bytes("PNG"), "logo.png", image_alt="")
    assert response.status_code == 400
    assert "read out to blind users" in response.text


@pytest.mark.parametrize("name", ["../secret_key", "x.png", "0" * 32 + ".gif", "marketplace.db"])
def test_media_serves_only_stored_images(client, name):
    assert client.get(f"/media/{name}").status_code == 404
