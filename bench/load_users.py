"""The locust users of bench/load.py: readers, one publisher, one curator (see load.py)."""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import gevent
from gevent.queue import Queue
from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch import CSRF, DESCRIPTION

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
OTHER_NODE = os.environ.get("LOAD_OTHER_NODE") or None
# How long a publish may take to show before it counts as an error.
VISIBLE_DEADLINE = float(os.environ.get("LOAD_VISIBLE_DEADLINE", "30"))
VERSION = re.compile(r'name="version" value="(\d+)"')
CONSONANTS = "bcdfghjklmnpqrstvwz"
submitted: Queue = Queue()  # entry ids the publisher submitted, with the word that finds them


@events.quitting.add_listener
def write_stats(environment, **_kwargs) -> None:
    """Every route's figures once the last user stopped (locust's CSV can miss the last ones)."""
    rows = []
    for entry in [*environment.stats.entries.values(), environment.stats.total]:
        rows.append({
            "Type": entry.method or "", "Name": entry.name,
            "Request Count": entry.num_requests, "Failure Count": entry.num_failures,
            "Requests/s": entry.total_rps, "Max Response Time": entry.max_response_time,
            **{f"{p}%": entry.get_response_time_percentile(p / 100) for p in (50, 95, 99)},
        })  # fmt: skip
    with open(os.environ["LOAD_STATS"], "w", encoding="utf-8") as handle:
        json.dump(rows, handle)


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    if not found:
        raise ValueError("no CSRF token in the page")
    return found.group(1)


def report(name: str, started: float, error: Exception | None = None) -> None:
    events.request.fire(
        request_type="VISIBLE",
        name=name,
        response_time=(time.perf_counter() - started) * 1000,
        response_length=0,
        exception=error,
        context={},
    )


def sign_in(user: HttpUser, email: str, password: str) -> None:
    page = user.client.get("/login", name="/login")
    user.client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "email": email, "password": password},
        name="/login",
    )


class Reader(HttpUser):
    """A visitor: search with 0-3 facets, entry pages, the home page and the API."""

    weight = 1
    wait_time = between(0.5, 2)

    def search_params(self) -> dict:
        words = PLAN["words"]
        params: dict = {"q": " ".join(random.sample(words, random.randint(1, 3)))}
        for name in random.sample(sorted(PLAN["facets"]), random.randint(0, 3)):
            params[name] = random.sample(PLAN["facets"][name], 1)
        return params

    @task(6)
    def search(self) -> None:
        params = self.search_params()
        self.client.get(f"/solutions?{urlencode(params, doseq=True)}", name="/solutions?q")

    @task(3)
    def entry(self) -> None:
        slug = f"bench-{random.randrange(PLAN['docs'])}"
        self.client.get(f"/solutions/{slug}", name="/solutions/<slug>")

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="/")

    @task(2)
    def api(self) -> None:
        params = urlencode(self.search_params(), doseq=True)
        self.client.get(f"/api/v1/solutions?{params}", name="/api/v1/solutions")


class Publisher(HttpUser):
    """A city publisher submitting new entries, each found by a word of its own."""

    fixed_count = 1
    wait_time = between(2, 4)

    def on_start(self) -> None:
        sign_in(self, PLAN["publisher"], PLAN["publisher_password"])

    @task
    def submit(self) -> None:
        word = "".join(random.choice(CONSONANTS) + random.choice("aeiou") for _ in range(5))
        form = self.client.get("/my/entries/new", name="/my/entries/new")
        data = {
            "csrf_token": csrf_token(form.text),
            "title": f"Solar roofs {word} on schools",
            "kind": "solution",
            "summary": f"Solar panels on twelve school roofs ({word}), financed by citizens.",
            "description": DESCRIPTION,
            "impact": "- 420 MWh a year",
            "lessons": "Roof surveys took longer than planned.",
            "maturity": "deployed",
            "challenges": [PLAN["challenge"]],
            "contact_name": "Marta",
            "contact_email": "marta@terrassa.example",
            "languages": ["es"],
            "cost_band": "50k-250k",
            "licence": "CC-BY-4.0",
            "not_duplicate": "y",
            "action": "submit",
        }
        with self.client.post(
            "/my/entries/new", data=data, name="/my/entries/new (submit)", allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            found = re.search(r"/my/entries/(\d+)", response.headers.get("Location", ""))
            if response.status_code != 302 or not found:
                response.failure(f"not submitted: {response.status_code}")
                return
        submitted.put((int(found.group(1)), word))


class Curator(HttpUser):
    """A curator approving what the publisher submits, then waiting until search shows it."""

    fixed_count = 1
    wait_time = between(0.1, 0.2)

    def on_start(self) -> None:
        sign_in(self, PLAN["curator"], PLAN["curator_password"])

    @task
    def approve(self) -> None:
        try:
            entry_id, word = submitted.get(timeout=1)
        except gevent.queue.Empty:
            return
        page = self.client.get(f"/curate/entries/{entry_id}", name="/curate/entries/<id>")
        version = VERSION.search(page.text)
        data = {"csrf_token": csrf_token(page.text), "decision": "approve", "comment": ""}
        if version:
            data["version"] = version.group(1)
        self.client.post(
            f"/curate/entries/{entry_id}/decide", data=data, name="/curate/entries/<id>/decide"
        )
        started = time.perf_counter()
        waits = [gevent.spawn(self.until_found, self.host, word, "same node", started)]
        if OTHER_NODE:
            waits.append(gevent.spawn(self.until_found, OTHER_NODE, word, "other node", started))
        gevent.joinall(waits)

    def until_found(self, base: str, word: str, label: str, started: float) -> None:
        name = f"publish visible ({label})"
        while time.perf_counter() - started < VISIBLE_DEADLINE:
            answer = self.client.get(
                f"{base}/api/v1/solutions?q={word}&exact=1", name=f"poll search ({label})"
            )
            if answer.ok and any(word in r["title"] for r in answer.json()["results"]):
                report(name, started)
                return
            gevent.sleep(0.05)
        report(name, started, TimeoutError(f"not visible after {VISIBLE_DEADLINE} s"))
