"""The publiccode.yml reader: the field mapping, zips and folders, and every kind of bad input."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yaml.constructor import SafeConstructor

from marketplace.services import publiccode
from marketplace.services.import_rows import MAX_BYTES, UnreadableFile

pytestmark = pytest.mark.usefixtures("ctx")

# A realistic 0.4 file in English and Italian (the standard's example, made a city's).
FULL = """\
publiccodeYmlVersion: "0.4"
name: Medusa
applicationSuite: MegaProductivitySuite
url: "https://example.com/italia/medusa.git"
landingURL: "https://example.com/italia/medusa"
softwareVersion: "1.0"
releaseDate: "2017-04-15"
logo: img/logo.svg
platforms:
  - android
  - ios
  - Smart TV
categories:
  - content-management
usedBy:
  - Comune di Firenze
developmentStatus: beta
softwareType: "standalone/mobile"
description:
  en:
    localisedName: Medusa
    shortDescription: >
      Book rooms and desks in
      public buildings.
    longDescription: >
      Medusa lets the staff of a city book meeting rooms and desks, and lets
      visitors see **which rooms are free**.
    documentation: "https://docs.example.com/medusa"
    apiDocumentation: "https://api.example.com/medusa"
    features:
      - Room booking
      - Desk sharing
  it:
    localisedName: Medusa Prenotazioni
    shortDescription: Prenotare sale e scrivanie negli edifici pubblici.
    longDescription: Medusa permette al personale del comune di prenotare sale e scrivanie.
    features:
      - Prenotazione delle sale
  ja:
    shortDescription: 会議室の予約
    longDescription: 会議室の予約
legal:
  license: eupl-1.2
  mainCopyrightOwner: Comune di Reggio Emilia
  repoOwner: Comune di Reggio Emilia
maintenance:
  type: "contract"
  contractors:
    - name: "Fornitore Privato SPA"
      email: "info@fornitore.example"
      until: "2027-01-01"
  contacts:
    - name: Francesco Rossi
      email: "francesco.rossi@comune.example"
localisation:
  localisationReady: true
  availableLanguages:
    - it
    - en-GB
    - sl-IT-nedis
    - ja
"""

MINIMAL = """\
publiccodeYmlVersion: "0.2"
name: Text editor
url: "https://example.com/city/text-editor.git"
platforms: windows
developmentStatus: development
softwareType: standalone/desktop
description:
  en:
    shortDescription: A text editor
    longDescription: A text editor for everyone in the city hall.
    features: [Writing]
legal:
  license: MIT
maintenance:
  type: none
localisation:
  localisationReady: false
  availableLanguages: [en]
"""


def document(text: str = MINIMAL, **changes: str) -> bytes:
    """``text`` with top-level ``key: value`` lines replaced (or added)."""
    lines = text.splitlines()
    for key, value in changes.items():
        lines = [line for line in lines if not line.startswith(f"{key}:")]
        lines.append(f"{key}: {value}")
    return "\n".join(lines).encode()


def zipped(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def refused(name: str, data: bytes) -> str:
    with pytest.raises(UnreadableFile) as error:
        publiccode.read(name, data)
    return str(error.value)


# --- The mapping -----------------------------------------------------------------------------


def test_a_full_file_maps_field_by_field_in_two_languages():
    (row,) = publiccode.read("publiccode.yml", FULL.encode())

    assert row.label == "publiccode.yml"
    assert row.problems == []
    fields = row.fields
    assert fields["kind"] == "solution"
    assert fields["language"] == "en"
    assert fields["title"] == "Medusa"
    assert fields["summary"] == "Book rooms and desks in public buildings."
    assert fields["maturity"] == "pilot"  # developmentStatus beta
    assert fields["licence"] == "EUPL-1.2"  # SPDX ids are case-insensitive
    assert fields["provider"] == "Fornitore Privato SPA"  # the contractor of a contract
    assert fields["contact_name"] == "Francesco Rossi"
    assert fields["contact_email"] == "francesco.rossi@comune.example"
    assert fields["website"] == "https://example.com/italia/medusa"  # the landing page
    assert fields["languages"] == "it;en;sl"
    assert fields["translations"] == "it"
    description = fields["description"]
    assert description.startswith("Medusa lets the staff of a city book meeting rooms")
    assert "**which rooms are free**" in description
    assert "**Features**\n\n- Room booking\n- Desk sharing" in description
    for fact in (
        "- Source code: <https://example.com/italia/medusa.git>",
        "- Documentation: <https://docs.example.com/medusa>",
        "- API documentation: <https://api.example.com/medusa>",
        "- Platforms: Android, iOS, Smart TV",
        "- Software type: mobile app",
        "- Maintained under contract by Fornitore Privato SPA until 2027-01-01.",
        "- Latest release: 1.0, 2017-04-15",
        "- Used by: Comune di Firenze",
    ):
        assert fact in description
    assert "logo" not in description
    assert "content-management" not in description

    # Japanese is not a language of the catalogue's entries: only Italian is a translation.
    assert set(row.translations) == {"it"}
    italian = row.translations["it"]
    assert italian["title"] == "Medusa Prenotazioni"
    assert italian["summary"] == "Prenotare sale e scrivanie negli edifici pubblici."
    assert italian["description"].startswith("Medusa permette al personale del comune")
    # The software's facts in Italian words; the English documentation links are not repeated.
    assert "**Funzionalità**\n\n- Prenotazione delle sale" in italian["description"]
    assert "**Informazioni sul software**" in italian["description"]
    assert "- Piattaforme: Android, iOS, Smart TV" in italian["description"]
    assert "docs.example.com" not in italian["description"]


def test_a_minimal_file_maps_without_problems():
    (row,) = publiccode.read("publiccode.yml", MINIMAL.encode())

    assert row.problems == []
    assert row.translations == {}
    assert row.fields["title"] == "Text editor"
    assert row.fields["maturity"] == "idea"  # development
    assert row.fields["licence"] == "MIT"
    assert row.fields["website"] == "https://example.com/city/text-editor.git"
    assert "provider" not in row.fields
    assert "contact_email" not in row.fields
    assert "- Not actively maintained." in row.fields["description"]
    assert "- Platforms: Windows" in row.fields["description"]


def test_the_best_description_language_is_the_entrys_own():
    """The first language in the catalogue's list that has both descriptions leads."""
    text = MINIMAL.replace(
        "description:\n  en:",
        "description:\n  xx:\n    shortDescription: Nope\n"
        "  de:\n    shortDescription: Nur kurz\n  en:",
    )
    (row,) = publiccode.read("publiccode.yml", text.encode())

    assert row.fields["language"] == "en"
    assert row.translations["de"]["summary"] == "Nur kurz"
    assert "- Plattformen: Windows" in row.translations["de"]["description"]


@pytest.mark.parametrize(
    ("status", "used_by", "maturity"),
    [
        ("concept", "[]", "idea"),
        ("development", "[]", "idea"),
        ("beta", "[]", "pilot"),
        ("stable", "[Comune di Roma]", "deployed"),
        ("stable", "[Comune di Roma, Comune di Bari]", "scaled"),
        ("obsolete", "[]", "deployed"),
    ],
)
def test_development_status_becomes_a_maturity(status, used_by, maturity):
    (row,) = publiccode.read("p.yml", document(developmentStatus=status, usedBy=used_by))

    assert row.problems == []
    assert row.fields["maturity"] == maturity
    assert ("is obsolete" in row.fields["description"]) == (status == "obsolete")


@pytest.mark.parametrize(
    ("licence", "ours"),
    [("MIT", "MIT"), ("apache-2.0", "Apache-2.0"), ("GPL-3.0", "GPL-3.0-only")],
)
def test_licences_of_the_catalogue_are_taken(licence, ours):
    text = MINIMAL.replace("license: MIT", f"license: {licence}")
    (row,) = publiccode.read("p.yml", text.encode())

    assert row.problems == []
    assert row.fields["licence"] == ours


@pytest.mark.parametrize("licence", ["AGPL-3.0-or-later", "MIT OR Apache-2.0", "proprietary"])
def test_a_licence_the_catalogue_does_not_offer_is_a_problem_naming_it(licence):
    text = MINIMAL.replace("license: MIT", f"license: {licence}")
    (row,) = publiccode.read("p.yml", text.encode())

    assert "licence" not in row.fields
    assert len(row.problems) == 1
    assert (
        f"The licence {licence} (legal.license) is not one the catalogue offers"
        in (row.problems[0])
    )


@pytest.mark.parametrize("version", ["0.2", "0.2.2", "0.3", "0.3.0", "0.4", "0.4.0", "0"])
def test_versions_0_2_to_0_4_are_read(version):
    (row,) = publiccode.read("p.yml", document(publiccodeYmlVersion=f'"{version}"'))

    assert row.problems == []


@pytest.mark.parametrize("version", ["0.1", "1.0", "latest"])
def test_other_versions_are_a_problem(version):
    (row,) = publiccode.read("p.yml", document(publiccodeYmlVersion=f'"{version}"'))

    assert row.problems == [
        f"publiccodeYmlVersion {version} is not one this import reads (0.2, 0.3, 0.4, 0.5 or 0)."
    ]


def test_missing_required_fields_are_problems_of_the_row():
    text = "publiccodeYmlVersion: '0.4'\nname: Lonely\nmaintenance:\n  type: internal\n"
    (row,) = publiccode.read("p.yml", text.encode())

    assert row.fields["title"] == "Lonely"
    missing = {p.split(" is missing")[0] for p in row.problems if " is missing" in p}
    assert missing == {
        "url",
        "platforms",
        "softwareType",
        "developmentStatus",
        "legal.license",
        "maintenance.contacts",
        "description",
    }


def test_a_description_in_no_language_of_the_catalogue_is_a_problem():
    text = MINIMAL.replace("description:\n  en:", "description:\n  ja:")
    (row,) = publiccode.read("p.yml", text.encode())

    assert row.problems == ["None of the description languages (ja) is one the catalogue offers."]
    assert "summary" not in row.fields


def test_wrong_types_and_bad_links_are_problems():
    text = MINIMAL.replace("name: Text editor", "name: [Text, editor]").replace(
        "features: [Writing]", "features: [Writing]\n    documentation: javascript:alert(1)"
    )
    (row,) = publiccode.read("p.yml", text.encode())

    assert row.problems == [
        "name should be text.",
        "description.en.documentation is not a web address: javascript:alert(1)",
    ]
    assert "javascript" not in row.fields["description"]


def test_a_summary_longer_than_ours_is_left_to_the_import_to_refuse():
    text = MINIMAL.replace("shortDescription: A text editor", "shortDescription: " + "a" * 301)
    (row,) = publiccode.read("p.yml", text.encode())

    assert row.fields["summary"] == "a" * 301  # "summary: keep it to 300 characters" (imports)


def test_formula_looking_text_is_kept_as_text():
    text = MINIMAL.replace("name: Text editor", 'name: "=HYPERLINK(\\"https://evil.example\\")"')
    (row,) = publiccode.read("p.yml", text.encode())

    assert row.problems == []
    assert row.fields["title"] == '=HYPERLINK("https://evil.example")'


def test_every_value_is_read_as_text():
    """No YAML 1.1 surprises: no booleans from "no", no dates, no numbers."""
    text = MINIMAL.replace("name: Text editor", "name: no").replace(
        "platforms: windows", "platforms: windows\nsoftwareVersion: 1.10\nreleaseDate: 2024-02-30"
    )
    (row,) = publiccode.read("p.yml", text.encode())

    assert row.problems == []
    assert row.fields["title"] == "no"
    assert "- Latest release: 1.10, 2024-02-30" in row.fields["description"]


# --- Zips and folders ------------------------------------------------------------------------


def test_a_zip_of_three_repositories_gives_three_rows():
    data = zipped(
        {
            "repos/medusa/publiccode.yml": FULL.encode(),
            "repos/editor/publiccode.yaml": MINIMAL.encode(),
            "deep/er/still/PUBLICCODE.yml": document(name="Third"),
            "repos/editor/README.md": b"not read",
            "repos/editor/publiccode.yml.bak": b"not: read",
        }
    )
    rows = publiccode.read("tools.zip", data)

    assert [row.label for row in rows] == [
        "deep/er/still/PUBLICCODE.yml in tools.zip",
        "repos/editor/publiccode.yaml in tools.zip",
        "repos/medusa/publiccode.yml in tools.zip",
    ]
    assert [row.fields["title"] for row in rows] == ["Third", "Text editor", "Medusa"]
    assert all(row.problems == [] for row in rows)


def test_a_bad_file_in_a_zip_is_a_row_with_its_problem_and_the_others_are_read():
    rows = publiccode.read(
        "tools.zip", zipped({"a/publiccode.yml": b"name: [", "b/publiccode.yml": MINIMAL.encode()})
    )

    assert rows[0].fields == {}
    assert rows[0].problems == [
        "a/publiccode.yml in tools.zip: it is not valid YAML "
        "(line 1: expected the node content, but found '<stream end>')."
    ]
    assert rows[1].problems == []
    assert rows[1].fields["title"] == "Text editor"


def test_zip_members_outside_the_archive_and_nested_zips_are_passed_over():
    inner = zipped({"publiccode.yml": MINIMAL.encode()})
    data = zipped(
        {
            "../publiccode.yml": MINIMAL.encode(),
            "/etc/publiccode.yml": MINIMAL.encode(),
            "a/../../publiccode.yml": MINIMAL.encode(),
            "inner.zip": inner,
        }
    )

    assert refused("tools.zip", data) == (
        "tools.zip: it holds no publiccode.yml or publiccode.yaml file."
    )


def test_a_folder_is_searched_without_following_symlinks_out_of_it(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "publiccode.yml").write_bytes(document(name="Outside"))
    root = tmp_path / "repos"
    (root / "medusa").mkdir(parents=True)
    (root / "editor" / "sub").mkdir(parents=True)
    (root / "medusa" / "publiccode.yml").write_text(FULL)
    (root / "editor" / "sub" / "publiccode.yaml").write_text(MINIMAL)
    (root / "editor" / "notes.txt").write_text("name: not read")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "publiccode.yml").symlink_to(outside / "publiccode.yml")

    rows = publiccode.read_path(root)

    assert [(row.label, row.fields["title"]) for row in rows] == [
        ("editor/sub/publiccode.yaml", "Text editor"),
        ("medusa/publiccode.yml", "Medusa"),
    ]


def test_read_path_reads_a_file_and_a_zip(tmp_path):
    (tmp_path / "publiccode.yml").write_text(MINIMAL)
    (tmp_path / "tools.zip").write_bytes(zipped({"x/publiccode.yml": FULL.encode()}))

    assert publiccode.read_path(tmp_path / "publiccode.yml")[0].fields["title"] == "Text editor"
    (row,) = publiccode.read_path(tmp_path / "tools.zip")
    assert row.label == "x/publiccode.yml in tools.zip"
    assert row.fields["title"] == "Medusa"


def test_an_empty_folder_or_zip_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(UnreadableFile) as error:
        publiccode.read_path(tmp_path / "empty")
    assert str(error.value) == "empty: it holds no publiccode.yml or publiccode.yaml file."
    assert refused("e.zip", zipped({})) == (
        "e.zip: it holds no publiccode.yml or publiccode.yaml file."
    )


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name: [Medusa", "it is not valid YAML (line 1: expected ',' or ']', but got"),
        (b"- one\n- two\n", "it is YAML, but not a publiccode.yml: it holds no keys and values."),
        (b"just words", "it is YAML, but not a publiccode.yml"),
        (b"", "it is YAML, but not a publiccode.yml"),
        (b"a: 1\n---\nb: 2\n", "it is not valid YAML (line 2: but found another document)."),
        ("name: Café".encode("latin-1"), "it is not UTF-8 text (byte 10), and"),
        ("name: x".encode("utf-16"), "it is not UTF-8 text (byte 1), and"),
        (b"name: Med\x00usa", "it contains the control character U+0000 (line 1), which"),
        (b"name: x\nurl: \x1b[31m", "it contains the control character U+001B (line 2), which"),
        (b"? [a, b]\n: c\n", "it is not valid YAML (line 1: found unhashable key)."),
    ],
)
def test_a_file_that_is_not_a_publiccode_yml_is_refused_with_a_clear_message(data, message):
    assert refused("publiccode.yml", data).startswith(f"publiccode.yml: {message}")


def test_escaped_control_characters_in_a_value_are_a_problem():
    (row,) = publiccode.read("p.yml", MINIMAL.replace("Text editor", '"Text\\0editor"').encode())

    assert row.problems == ["name contains the control character U+0000."]


def test_yaml_tags_are_refused_and_never_constructed(monkeypatch, tmp_path):
    built = []
    monkeypatch.setitem(SafeConstructor.yaml_constructors, "!spy", lambda *a: built.append(a))
    marker = tmp_path / "ran"
    for text in (
        f"name: !!python/object/apply:os.system ['touch {marker}']",
        "name: !spy Medusa",
        "name: !!str Medusa",
        "%TAG !e! tag:example.com,2000:\n---\nname: !e!thing Medusa",
    ):
        assert "tags are refused and nothing is built from them" in refused("p.yml", text.encode())
    assert built == []
    assert not marker.exists()
    assert refused("p.yml", b"name: !!python/name:os.system x") == (
        "p.yml: it uses the YAML tag tag:yaml.org,2002:python/name:os.system (line 1): tags "
        "are refused and nothing is built from them."
    )


def test_aliases_are_refused_so_a_billion_laughs_never_expands():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        previous, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")

    message = refused("laughs.yml", "\n".join(lines).encode())

    assert message == (
        "laughs.yml: it uses a YAML alias (*a, line 2): aliases are refused, so a small file "
        "cannot expand into a huge one."
    )


def test_deep_nesting_and_huge_documents_are_refused():
    assert "it is nested deeper than 32 levels" in refused("p.yml", b"a: " + b"[" * 5000)
    many = b"features:\n" + b"  - x\n" * (publiccode.MAX_NODES + 1)
    assert "holds more than 20000 values" in refused("p.yml", many)
    big = b"name: " + b"x" * publiccode.MAX_DOCUMENT_BYTES
    assert refused("p.yml", big) == (
        "p.yml: it is larger than 512 KB, and a publiccode.yml is a few kilobytes."
    )


def test_a_file_larger_than_the_import_limit_is_refused(tmp_path):
    data = b"#" * (MAX_BYTES + 1)
    assert refused("big.yml", data) == "big.yml: it is larger than 20 MB, the most an import reads."
    (tmp_path / "big.zip").write_bytes(data)
    with pytest.raises(UnreadableFile, match="larger than 20 MB"):
        publiccode.read_path(tmp_path / "big.zip")


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    # 200 MB of zeros compress to about 200 KB.
    bomb = zipped({"repo/publiccode.yml": bytes(200 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()

    try:
        message = refused("bomb.zip", bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert message == (
        "bomb.zip: it unpacks to more than 20 MB, the most an import reads, so it is refused "
        "(a zip bomb?)."
    )
    assert peak < 25 * 1024 * 1024  # never inflated: far less than the 200 MB it holds


def test_a_zip_that_lies_about_its_sizes_is_read_no_further_than_the_limits():
    member = bytes(50 * 1024 * 1024)
    data = bytearray(zipped({"repo/publiccode.yml": member, "b/publiccode.yml": MINIMAL.encode()}))
    # Declare 100 bytes for the 50 MB member in its local header and the central directory.
    struct.pack_into("<I", data, 22, 100)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 100)

    rows = publiccode.read("liar.zip", bytes(data))

    assert rows[0].fields["title"] == "Text editor"
    assert rows[1].problems == ["repo/publiccode.yml in liar.zip cannot be unpacked."]


def test_a_zip_member_larger_than_a_document_is_a_problem_of_its_row():
    rows = publiccode.read(
        "t.zip",
        zipped({"a/publiccode.yml": b"x" * (publiccode.MAX_DOCUMENT_BYTES + 1)}),
    )

    assert rows[0].problems == [
        "a/publiccode.yml in t.zip is larger than 512 KB, and a publiccode.yml is a few kilobytes."
    ]


def test_the_files_of_a_zip_or_folder_share_one_budget_of_values(monkeypatch, tmp_path):
    monkeypatch.setattr(publiccode, "MAX_TOTAL_NODES", 100)  # MINIMAL holds 39 values
    files = {f"r{n}/publiccode.yml": MINIMAL.encode() for n in range(3)}
    message = "its publiccode.yml files hold more than 100 values in all, the most an import reads."

    assert len(publiccode.read("two.zip", zipped(dict(list(files.items())[:2])))) == 2
    assert refused("three.zip", zipped(files)) == f"three.zip: {message}"
    for name, data in files.items():
        (tmp_path / "repos" / name).parent.mkdir(parents=True)
        (tmp_path / "repos" / name).write_bytes(data)
    with pytest.raises(UnreadableFile) as error:
        publiccode.read_path(tmp_path / "repos")
    assert str(error.value) == f"repos: {message}"


def test_a_zip_of_too_many_members_is_refused():
    data = zipped({f"f{n}.txt": b"" for n in range(publiccode.MAX_MEMBERS + 1)})

    assert refused("many.zip", data) == (
        "many.zip: it holds more than 10000 files, the most an import reads."
    )


@pytest.mark.parametrize("data", [b"PK\x03\x04 not really", b"PK\x05\x06" + bytes(18)])
def test_a_damaged_zip_is_refused(data):
    assert refused("broken.zip", data) in (
        "broken.zip: it is not a readable zip archive.",
        "broken.zip: it holds no publiccode.yml or publiccode.yaml file.",
    )


def test_a_missing_path_is_refused(tmp_path):
    with pytest.raises(UnreadableFile) as error:
        publiccode.read_path(Path(tmp_path / "nothing.yml"))
    assert str(error.value) == "nothing.yml: it cannot be read."


# --- Hostile documents -----------------------------------------------------------------------

KEYS = (
    "publiccodeYmlVersion", "name", "url", "landingURL", "platforms", "developmentStatus",
    "softwareType", "usedBy", "description", "en", "it", "de", "xx", "shortDescription",
    "longDescription", "localisedName", "features", "documentation", "legal", "license",
    "maintenance", "type", "contacts", "contractors", "email", "until", "localisation",
    "availableLanguages", "organisation", "softwareVersion", "releaseDate",
)  # fmt: skip
VALUES = st.recursive(
    st.text(max_size=30) | st.sampled_from(["0.4", "stable", "contract", "MIT", "en", "=1+1"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), inner, max_size=5)
    ),
    max_leaves=25,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=12))
def test_any_document_gives_one_row_of_texts(document):
    (row,) = publiccode.read("p.yml", yaml.safe_dump(document, allow_unicode=True).encode())

    assert all(isinstance(v, str) and v for v in row.fields.values())
    assert all(isinstance(p, str) for p in row.problems)
    for texts in row.translations.values():
        assert all(isinstance(v, str) for v in texts.values())


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_give_rows_or_a_clear_refusal(data):
    try:
        rows, refusal = publiccode.read("p.yml", data), ""
    except UnreadableFile as error:
        rows, refusal = [], str(error)

    assert len(rows) == 1 or refusal.startswith("p.yml: it ")
