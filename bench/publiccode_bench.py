"""publiccode.yml reader benchmark: a zip of N repositories, and the largest document it reads.

    .venv/bin/python bench/publiccode_bench.py --files 500

Builds a zip of N copies of a realistic two-language publiccode.yml (about 3 KB each) and reads it
with services/publiccode.read, then one document just under MAX_DOCUMENT_BYTES (a long
description) and one of as many values as the guard lets through. One machine-readable line:
RESULT files=N zip_s=X per_file_ms=X largest_kb=X largest_s=X values=N values_s=X
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

DOCUMENT = """\
publiccodeYmlVersion: "0.4"
name: Medusa {n}
url: "https://example.com/city/medusa-{n}.git"
landingURL: "https://example.com/city/medusa-{n}"
softwareVersion: "1.{n}"
releaseDate: "2024-04-15"
platforms: [web, android, ios]
categories: [content-management, office]
usedBy: [Comune di Firenze, Comune di Roma]
developmentStatus: stable
softwareType: standalone/web
description:
  en:
    shortDescription: Book rooms and desks in public buildings, number {n}.
    longDescription: >
      Medusa lets the staff of a city book meeting rooms and desks, and lets visitors see which
      rooms are free. It runs in any browser, sends reminders, and keeps a record of use that the
      facilities team can export as open data. It was built by the city and is used in two more.
    documentation: "https://docs.example.com/medusa"
    features: [Room booking, Desk sharing, Reminders, Open data export, Accessible interface]
  it:
    localisedName: Medusa Prenotazioni
    shortDescription: Prenotare sale e scrivanie negli edifici pubblici.
    longDescription: >
      Medusa permette al personale del comune di prenotare sale riunioni e scrivanie, e ai
      visitatori di vedere quali sale sono libere. Funziona in qualsiasi browser.
    features: [Prenotazione delle sale, Scrivanie condivise]
legal:
  license: EUPL-1.2
  repoOwner: Comune di Reggio Emilia
maintenance:
  type: contract
  contractors:
    - name: Fornitore Privato SPA
      until: "2027-01-01"
  contacts:
    - name: Francesco Rossi
      email: francesco.rossi@comune.example
localisation:
  localisationReady: true
  availableLanguages: [it, en]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=500, help="publiccode.yml files in the zip")
    options = parser.parse_args()

    from marketplace import create_app
    from marketplace.services import publiccode

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(options.files):
            archive.writestr(f"repo-{n}/publiccode.yml", DOCUMENT.format(n=n))
    data = buffer.getvalue()
    # The largest document read: one long description just under MAX_DOCUMENT_BYTES.
    line = "      Medusa lets the staff of a city book meeting rooms and desks, again.\n"
    room = publiccode.MAX_DOCUMENT_BYTES - len(DOCUMENT.encode()) - 100
    largest = (
        DOCUMENT.format(n=0)
        .replace(
            "    longDescription: >\n", "    longDescription: >\n" + line * (room // len(line)), 1
        )
        .encode()
    )
    assert len(largest) <= publiccode.MAX_DOCUMENT_BYTES
    # The most values the guard lets through (mapping, key, list and items), one more is refused.
    many = b"features:\n" + b"  - x\n" * (publiccode.MAX_NODES - 3)

    with tempfile.TemporaryDirectory(prefix="publiccode-bench-") as data_dir:
        app = create_app({"SECRET_KEY": "bench", "DATA_DIR": data_dir, "SEARCH_ENCODER": "none"})
        with app.app_context():
            started = time.perf_counter()
            rows = publiccode.read("repos.zip", data)
            zip_s = time.perf_counter() - started
            assert len(rows) == options.files
            assert not any(row.problems for row in rows)
            started = time.perf_counter()
            (row,) = publiccode.read("largest.yml", largest)
            largest_s = time.perf_counter() - started
            assert not row.problems, row.problems
            started = time.perf_counter()
            publiccode.read("many.yml", many)
            many_s = time.perf_counter() - started
    print(
        f"RESULT files={options.files} zip_s={zip_s:.2f} "
        f"per_file_ms={1000 * zip_s / options.files:.1f} "
        f"largest_kb={len(largest) // 1024} largest_s={largest_s:.2f} "
        f"values={publiccode.MAX_NODES} values_s={many_s:.2f}"
    )


if __name__ == "__main__":
    main()
