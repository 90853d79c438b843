"""bench/problems.toml judges real demo entries, so renaming a seed entry fails the build."""

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "marketplace" / "seed" / "entries"
LANGUAGES = {"en", "fr", "de", "es", "it", "pt"}


def _problems() -> list[dict]:
    return tomllib.loads((ROOT / "bench" / "problems.toml").read_text(encoding="utf-8"))["problems"]


def _seed_statuses() -> dict[str, str]:
    entries = (tomllib.loads(path.read_text(encoding="utf-8")) for path in SEED.glob("*.toml"))
    return {entry["slug"]: entry["status"] for entry in entries}


PROBLEMS = _problems()
STATUSES = _seed_statuses()


def test_the_set_is_large_enough_and_not_only_english():
    assert len(PROBLEMS) >= 40
    assert sum(problem["lang"] != "en" for problem in PROBLEMS) >= 8
    assert len({problem["id"] for problem in PROBLEMS}) == len(PROBLEMS)


def test_every_seed_file_is_named_after_its_slug():
    for path in SEED.glob("*.toml"):
        assert tomllib.loads(path.read_text(encoding="utf-8"))["slug"] == path.stem


@pytest.mark.parametrize("problem", PROBLEMS, ids=[problem["id"] for problem in PROBLEMS])
def test_a_problem_judges_existing_entries_with_grades_one_or_two(problem):
    assert problem["lang"] in LANGUAGES
    assert problem["text"].strip()
    assert problem["relevant"], "every problem has at least one relevant entry"
    for slug, grade in problem["relevant"].items():
        assert slug in STATUSES, f"{slug} is not a demo entry"
        assert grade in (1, 2)
    # The search returns published entries only: a problem must be answerable.
    assert any(STATUSES[slug] == "published" for slug in problem["relevant"])
