"""bench/languages.toml asks the same problems in every interface language and judges real demo
entries, so renaming a seed entry or dropping a language fails the build."""

import tomllib
from pathlib import Path

import pytest

from marketplace.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "marketplace" / "seed" / "entries"
TOPICS = tomllib.loads((ROOT / "bench" / "languages.toml").read_text(encoding="utf-8"))["topics"]
STATUSES = {
    entry["slug"]: entry["status"]
    for entry in (tomllib.loads(p.read_text(encoding="utf-8")) for p in SEED.glob("*.toml"))
}


def test_every_language_asks_at_least_five_questions():
    assert len(TOPICS) >= 5
    for topic in TOPICS:
        assert set(topic["queries"]) == set(LANGUAGES), topic["id"]
        assert all(text.strip() for text in topic["queries"].values())
    assert len({topic["id"] for topic in TOPICS}) == len(TOPICS)


@pytest.mark.parametrize("topic", TOPICS, ids=[topic["id"] for topic in TOPICS])
def test_a_topic_judges_existing_entries_and_can_be_answered(topic):
    for slug in topic["relevant"]:
        assert slug in STATUSES, f"{slug} is not a demo entry"
    assert sum(STATUSES[slug] == "published" for slug in topic["relevant"]) >= 3
