"""`flask import publiccode PATH` and the page's publiccode.yml format: into the review queue."""

import io
import zipfile

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from marketplace.extensions import db
from marketplace.models import Solution
from marketplace.vocab import Status

LONG = "Medusa lets the staff of a city book meeting rooms and desks. " * 5
DOCUMENT = f"""\
publiccodeYmlVersion: "0.4"
name: {{name}}
url: "https://example.com/city/{{slug}}.git"
platforms: [web]
developmentStatus: stable
softwareType: standalone/web
description:
  en:
    shortDescription: Book rooms and desks in public buildings.
    longDescription: {LONG}
    features: [Room booking]
  it:
    shortDescription: Prenotare sale e scrivanie.
    longDescription: Medusa permette di prenotare sale.
legal:
  license: EUPL-1.2
maintenance:
  type: internal
  contacts:
    - name: Francesco Rossi
      email: francesco.rossi@porto.example
localisation:
  localisationReady: true
  availableLanguages: [en, it]
"""


@pytest.fixture
def ready(taxonomy, porto, curator, admin):
    return curator


@pytest.fixture
def repos(tmp_path):
    for slug, name in (("medusa", "Medusa"), ("argo", "Argo")):
        (tmp_path / "repos" / slug).mkdir(parents=True)
        (tmp_path / "repos" / slug / "publiccode.yml").write_text(
            DOCUMENT.format(name=name, slug=slug)
        )
    return tmp_path / "repos"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Solution))


def test_a_folder_lands_in_the_review_queue_for_the_city_and_reimports_unchanged(
    runner, ready, repos, porto
):
    args = ["import", "publiccode", str(repos), "--city", "porto", "--challenge", "retrofit"]
    result = runner.invoke(args=args)

    assert result.exit_code == 0, result.output
    assert "argo/publiccode.yml: create Argo [porto]" in result.output
    assert "medusa/publiccode.yml: create Medusa [porto]" in result.output
    assert "repos: 2 created, 0 updated, 0 unchanged, 0 refused, 0 failed." in result.output
    entries = db.session.scalars(select(Solution).order_by(Solution.title)).all()
    assert [(e.title, e.status, e.city_id) for e in entries] == [
        ("Argo", Status.SUBMITTED, porto.id),
        ("Medusa", Status.SUBMITTED, porto.id),
    ]
    medusa = entries[1]
    assert medusa.licence == "EUPL-1.2"
    assert medusa.maturity == "deployed"
    assert medusa.contact_email == "francesco.rossi@porto.example"
    assert [c.slug for c in medusa.challenges] == ["retrofit"]
    assert [(t.language, t.summary) for t in medusa.translations] == [
        ("it", "Prenotare sale e scrivanie.")
    ]

    again = runner.invoke(args=args)
    assert again.exit_code == 0, again.output
    assert "medusa/publiccode.yml: unchanged Medusa [porto]" in again.output
    assert "Nothing to import." in again.output
    assert _count() == 2


def test_without_a_challenge_the_plan_says_why_and_nothing_is_imported(runner, ready, repos):
    result = runner.invoke(args=["import", "publiccode", str(repos), "--city", "porto"])

    assert result.exit_code == 0, result.output
    assert "medusa/publiccode.yml: refused Medusa [porto]" in result.output
    assert "    - challenges: Choose at least one challenge this entry answers." in result.output
    assert _count() == 0


def test_a_dry_run_of_a_zip_imports_nothing(runner, ready, tmp_path):
    path = tmp_path / "tools.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x/publiccode.yml", DOCUMENT.format(name="Medusa", slug="medusa"))
    args = ["import", "publiccode", str(path), "--city", "porto", "--challenge", "retrofit"]
    result = runner.invoke(args=[*args, "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "x/publiccode.yml in tools.zip: create Medusa [porto]" in result.output
    assert "Dry run: nothing imported." in result.output
    assert _count() == 0


def test_a_refused_file_exits_non_zero_with_the_reason(runner, ready, tmp_path):
    path = tmp_path / "publiccode.yml"
    path.write_text("name: !!python/object/apply:os.system ['true']\n")
    result = runner.invoke(args=["import", "publiccode", str(path), "--city", "porto"])

    assert result.exit_code == 1
    assert "tags are refused and nothing is built from them" in result.output
    assert _count() == 0


def test_the_page_reads_publiccode_files(client_for, curator, taxonomy, porto):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("x/publiccode.yml", DOCUMENT.format(name="Medusa", slug="medusa"))
    fields = {"form": "publiccode", "city": "porto"}
    boundary, body = encode_multipart(
        {**fields, "upload": FileStorage(io.BytesIO(data.getvalue()), "tools.zip")}
    )
    page = client_for(curator).post(
        "/curate/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="publiccode"' in html
    assert "x/publiccode.yml in tools.zip" in html
    assert "Medusa" in html
    # No challenge comes with a publiccode.yml: the dry run says so for the row.
    assert "Choose at least one challenge this entry answers." in html
    assert _count() == 0


def _hidden(html: str, name: str) -> str:
    import re

    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def test_the_page_imports_publiccode_files_with_the_challenges_chosen_there(
    client_for, curator, taxonomy, porto
):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("x/publiccode.yml", DOCUMENT.format(name="Medusa", slug="medusa"))
    client = client_for(curator)
    form = client.get("/curate/import").get_data(as_text=True)
    assert 'name="challenges" type="checkbox" value="retrofit"' in form
    fields = {"form": "publiccode", "city": "porto", "challenges": "retrofit"}
    boundary, body = encode_multipart(
        {**fields, "upload": FileStorage(io.BytesIO(data.getvalue()), "tools.zip")}
    )
    checked = client.post(
        "/curate/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    ).get_data(as_text=True)
    assert "Choose at least one challenge" not in checked
    assert "Import 1 entry" in checked
    assert _count() == 0

    run = {"token": _hidden(checked, "token"), "fingerprint": _hidden(checked, "fingerprint")}
    done = client.post("/curate/import/run", data=run)

    assert done.status_code == 200, done.get_data(as_text=True)
    entry = db.session.scalar(select(Solution))
    assert (entry.title, entry.status, entry.city_id) == ("Medusa", Status.SUBMITTED, porto.id)
    assert [c.slug for c in entry.challenges] == ["retrofit"]
