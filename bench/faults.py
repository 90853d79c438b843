"""Fault benchmark: concurrent saves, SIGKILLs mid-write, the database going away.

    .venv/bin/pip install -e '.[bench,postgres]'
    .venv/bin/python bench/faults.py --saves 500 --kills 30 --outage-seconds 10

Each scenario serves a scratch catalogue (the demo taxonomy, cities and accounts, --docs entries
from bench/search_bench.py's generator, five publishers of five cities) with gunicorn and
gunicorn.conf.py, 3 workers, search by words only (the faults concern the index, not the encoder).
- saves: --saves new entries saved at once by the publishers over --threads connections (each
  a draft or a submission); lost = saves answered 302 whose entry is not in the database, plus
  saves refused for no reason of theirs. Run on each database of --databases.
- kills: while a publisher submits and a curator approves entries through the node, --kills
  SIGKILLs in turn of a gunicorn worker, of `search rebuild` and of `search sync`, each at a random
  moment; after each, `search stats` must open the index and `search check` is run (drift is
  allowed: it must be found). At the end `search sync` and `search check --repair` must heal it,
  `search check` must agree and every entry approved (answered 302) must be found by search.
- outage (PostgreSQL only): the node reaches the database through a TCP proxy of this script; the
  proxy is stopped for --outage-seconds (listening socket closed, open connections cut) while
  a client asks for / and a search ten times a second. Reported: the status codes per second
  (by when the request was sent) and the seconds from the database's return to the answer of
  the first request of an unbroken run of 200s.
The last line is machine-readable: RESULT key=value ... (one group of keys per scenario run).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scratch import CSRF, DESCRIPTION, GUNICORN, ROOT, Node, database, load_average, settings
from search_bench import Corpus, generate

from marketplace import create_app, search
from marketplace.extensions import db
from marketplace.models import Challenge, City, Solution
from marketplace.services import accounts, demo
from marketplace.vocab import Status

DEFAULT_POSTGRESQL = "postgresql+psycopg://root@127.0.0.1:5432/test"
PASSWORD = "fault bench password"  # noqa: S105 (scratch accounts of a scratch database)
CURATOR = next(a for a in demo.DEMO_ACCOUNTS if a["role"] == "curator")
NODE_ENV = {"MARKETPLACE_SEARCH_ENCODER": "none"}
CHALLENGE = ""  # a challenge of the scratch catalogue, filed on every entry saved
FLASK = [str(GUNICORN.with_name("flask")), "--app", "marketplace"]


def build(data_dir: Path, url: str, docs: int) -> list[str]:
    """The scratch catalogue; returns the publishers' emails (and sets CHALLENGE)."""
    global CHALLENGE
    app = create_app({"SECRET_KEY": "bench", "DATA_DIR": str(data_dir), "DATABASE_URL": url})
    emails = []
    with app.app_context():
        db.create_all()
        demo.seed_demo()
        generate(docs, random.Random(1), Corpus())
        cities = db.session.scalars(select(City.slug).order_by(City.slug).limit(5)).all()
        for slug in cities:
            user = accounts.create_user(f"fault@{slug}.example", "publisher", "", slug, PASSWORD)
            emails.append(user.email)
        CHALLENGE = db.session.scalar(select(Challenge.slug).order_by(Challenge.slug))
        search.rebuild()
        db.engine.dispose()
    return emails


def session(base: str, email: str, password: str) -> tuple[requests.Session, str]:
    """A signed-in session and its CSRF token."""
    client = requests.Session()
    token = CSRF.search(client.get(f"{base}/login", timeout=30).text).group(1)
    client.post(
        f"{base}/login",
        data={"csrf_token": token, "email": email, "password": password},
        timeout=30,
    )
    page = client.get(f"{base}/my/entries/new", timeout=30)
    return client, CSRF.search(page.text).group(1)


def entry_form(token: str, title: str, submit: bool) -> dict:
    return {
        "csrf_token": token, "title": title, "kind": "solution", "not_duplicate": "y",
        "summary": f"{title}: panels on twelve school roofs, financed by citizens.",
        "description": DESCRIPTION, "maturity": "deployed", "challenges": [CHALLENGE],
        "contact_name": "Marta", "contact_email": "marta@terrassa.example", "languages": ["es"],
        "cost_band": "50k-250k", "licence": "CC-BY-4.0", "action": "submit" if submit else "save",
    }  # fmt: skip


def titles_in_database(url: str, data_dir: Path, prefix: str) -> set[str]:
    app = create_app({"SECRET_KEY": "bench", "DATA_DIR": str(data_dir), "DATABASE_URL": url})
    with app.app_context():
        found = set(
            db.session.scalars(select(Solution.title).where(Solution.title.like(f"{prefix}%")))
        )
        db.engine.dispose()
    return found


def saves(url: str, kind: str, work: Path, options) -> dict:
    """--saves concurrent saves from the publishers over 3 workers."""
    data_dir = work / f"saves-{kind}"
    emails = build(data_dir, url, options.docs)
    node = Node(data_dir, url, 3, work / f"saves-{kind}.log", NODE_ENV)
    try:
        sessions = [session(node.url, email, PASSWORD) for email in emails]
        statuses: Counter = Counter()
        accepted: set[str] = set()

        def save(n: int) -> None:
            client, token = sessions[n % len(sessions)]
            title = f"Fault save {n:05d} roofs"
            try:
                answer = client.post(
                    f"{node.url}/my/entries/new", data=entry_form(token, title, n % 2 == 0),
                    allow_redirects=False, timeout=120,
                )  # fmt: skip
                statuses[answer.status_code] += 1
                if answer.status_code == 302:
                    accepted.add(title)
            except requests.RequestException as error:
                statuses[type(error).__name__] += 1

        started = time.perf_counter()
        with ThreadPoolExecutor(options.threads) as pool:
            list(pool.map(save, range(options.saves)))
        seconds = time.perf_counter() - started
    finally:
        node.stop()
    stored = titles_in_database(url, data_dir, "Fault save ")
    lost = len(accepted - stored) + (options.saves - statuses[302])
    server_errors = sum(n for code, n in statuses.items() if isinstance(code, int) and code >= 500)
    print(f"saves on {kind}: {options.saves} in {seconds:.1f} s over 3 workers, answers "
          f"{dict(statuses)}, {len(stored)} in the database, lost {lost}")  # fmt: skip
    return {f"saves_{kind}": options.saves, f"saves_{kind}_lost": lost,
            f"saves_{kind}_5xx": server_errors, f"saves_{kind}_s": f"{seconds:.1f}"}  # fmt: skip


def command(data_dir: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    env = settings(data_dir, url, **NODE_ENV)
    return subprocess.run(  # noqa: S603 (our own commands)
        [*FLASK, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )


class Writers(threading.Thread):
    """A publisher submitting and a curator approving entries through the node, until stopped."""

    def __init__(self, base: str, email: str):
        super().__init__(daemon=True)
        self.base, self.email = base, email
        self.stopped = threading.Event()
        self.approved: set[str] = set()
        self.interrupted = 0
        self.server_errors = 0

    def run(self) -> None:
        publisher, curator, n = None, None, 0
        while not self.stopped.is_set():
            try:
                if publisher is None:
                    publisher = session(self.base, self.email, PASSWORD)
                    curator = session(self.base, CURATOR["email"], CURATOR["password"])
                n += 1
                self.publish(publisher, curator, f"Fault kill {n:05d} roofs")
            except (requests.RequestException, AttributeError):
                self.interrupted += 1  # a killed worker's connection; sign in again
                publisher = None
                time.sleep(0.2)

    def publish(self, publisher, curator, title: str) -> None:
        client, token = publisher
        answer = client.post(f"{self.base}/my/entries/new", data=entry_form(token, title, True),
                             allow_redirects=False, timeout=60)  # fmt: skip
        self.server_errors += answer.status_code >= 500
        if answer.status_code != 302:
            return
        entry_id = answer.headers["Location"].rstrip("/").split("/")[-1]
        client, token = curator
        review = client.get(f"{self.base}/curate/entries/{entry_id}", timeout=60).text
        version = review.split('name="version" value="')[1].split('"')[0]
        decided = client.post(
            f"{self.base}/curate/entries/{entry_id}/decide", allow_redirects=False, timeout=60,
            data={"csrf_token": token, "decision": "approve", "comment": "", "version": version},
        )  # fmt: skip
        self.server_errors += decided.status_code >= 500
        if decided.status_code == 302:
            self.approved.add(title)


def kills(url: str, kind: str, work: Path, options) -> dict:
    """SIGKILLs of a worker, `search rebuild` or `search sync` while entries are published."""
    data_dir = work / f"kills-{kind}"
    emails = build(data_dir, url, options.docs)
    node = Node(data_dir, url, 3, work / f"kills-{kind}.log", NODE_ENV)
    writers = Writers(node.url, emails[0])
    writers.start()
    rng = random.Random(2)
    killed: Counter = Counter()
    opened = drift_found = 0
    try:
        for n in range(options.kills):
            target = ("worker", "rebuild", "sync")[n % 3]
            time.sleep(rng.uniform(0.2, 1.0))
            if target == "worker":
                os.kill(rng.choice(node.worker_pids()), signal.SIGKILL)
            else:
                env = settings(data_dir, url, **NODE_ENV)
                process = subprocess.Popen(  # noqa: S603 (our own command)
                    [*FLASK, "search", target], env=env, cwd=ROOT,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
                time.sleep(rng.uniform(0.5, 3.0))
                process.send_signal(signal.SIGKILL)
                process.wait()
            killed[target] += 1
            stats = command(data_dir, url, "search", "stats")
            opened += stats.returncode == 0
            if stats.returncode:
                said = (stats.stderr or stats.stdout).strip().splitlines()[-1:]
                print(f"  after killing {target}: search stats failed: {said}")
            drift_found += command(data_dir, url, "search", "check").returncode == 1
        writers.stopped.set()
        writers.join(timeout=120)
    finally:
        node.stop()
    synced = command(data_dir, url, "search", "sync").returncode == 0
    repaired = command(data_dir, url, "search", "check", "--repair").returncode == 0
    clean = command(data_dir, url, "search", "check").returncode == 0
    app = create_app({"SECRET_KEY": "bench", "DATA_DIR": str(data_dir), "DATABASE_URL": url,
                      "SEARCH_ENCODER": "none"})  # fmt: skip
    with app.app_context():
        published = set(db.session.scalars(select(Solution.title).where(
            Solution.title.like("Fault kill %"), Solution.status == Status.PUBLISHED)))  # fmt: skip
        indexed = search.index_stats().documents
        total = db.session.scalar(select(func.count()).where(Solution.status == Status.PUBLISHED))
        db.engine.dispose()
    lost = len(writers.approved - published) + (total - indexed)
    print(f"kills on {kind}: {dict(killed)}; the index opened after {opened} of {options.kills}; "
          f"search check found drift after {drift_found}; sync {'ok' if synced else 'FAILED'}, "
          f"check --repair {'ok' if repaired else 'FAILED'}, "
          f"then check {'clean' if clean else 'NOT CLEAN'}; "
          f"{len(writers.approved)} entries approved meanwhile, "
          f"{writers.interrupted} requests cut by a kill, "
          f"{writers.server_errors} server errors; published {total}, indexed {indexed}, "
          f"lost {lost}")  # fmt: skip
    return {f"kills_{kind}": options.kills, f"kills_{kind}_index_opened": opened,
            f"kills_{kind}_drift_found": drift_found,
            f"kills_{kind}_healed": int(synced and repaired and clean),
            f"kills_{kind}_approved": len(writers.approved), f"kills_{kind}_lost": lost,
            f"kills_{kind}_5xx": writers.server_errors}  # fmt: skip


class Proxy(threading.Thread):
    """A TCP proxy to the database that can be stopped (connections cut) and started again."""

    def __init__(self, host: str, port: int):
        super().__init__(daemon=True)
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self.up = threading.Event()
        self.up.set()

    def run(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                self.up.wait()
                continue
            if not self.up.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """The database goes away: nothing listens on the port, open connections are cut."""
        self.up.clear()
        self.listener.close()
        for connection in self.open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
                connection.close()
        self.open = []

    def start_again(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.up.set()


def outage(url: str, kind: str, work: Path, options) -> dict:
    """The database unreachable for --outage-seconds under a steady trickle of requests."""
    data_dir = work / f"outage-{kind}"
    build(data_dir, url, options.docs)
    target = make_url(url)
    proxy = Proxy(target.host or "127.0.0.1", target.port or 5432)
    proxy.start()
    proxied = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    node = Node(data_dir, proxied, 3, work / f"outage-{kind}.log", NODE_ENV)
    seen: list[tuple[float, str, float]] = []  # sent, status or error, answered
    done = threading.Event()

    def ask() -> None:
        paths = ("/", "/solutions?q=energy")
        n = 0
        while not done.is_set():
            n += 1
            sent = time.monotonic()
            try:
                code = str(requests.get(node.url + paths[n % 2], timeout=30).status_code)
            except requests.RequestException as error:
                code = type(error).__name__
            seen.append((sent, code, time.monotonic()))
            time.sleep(0.1)

    try:
        asker = threading.Thread(target=ask, daemon=True)
        asker.start()
        while len(seen) < 10 or any(code != "200" for _, code, _ in seen[-5:]):
            time.sleep(0.2)  # every worker has answered before the database goes away
        time.sleep(2)
        went = time.monotonic()
        proxy.stop()
        time.sleep(options.outage_seconds)
        back = time.monotonic()
        proxy.start_again()
        time.sleep(max(15, options.outage_seconds))
        done.set()
        asker.join(timeout=60)
    finally:
        node.stop()
    per_second: dict[int, Counter] = defaultdict(Counter)
    for at, code, _ in seen:
        per_second[math.floor(at - went)][code] += 1
    for second in sorted(per_second):
        label = "down" if 0 <= second < options.outage_seconds else "up"
        print(f"  t={second:+3d} s ({label}): {dict(per_second[second])}")
    after = [(code, answered) for at, code, answered in seen if at >= back]
    recovered = None
    for i, (_code, answered) in enumerate(after):
        if all(code == "200" for code, _ in after[i:]):
            recovered = answered - back
            break
    during = Counter(code for at, code, _ in seen if went <= at < back)
    print(f"outage on {kind}: {options.outage_seconds} s; answers while down {dict(during)}; "
          f"recovered {'never' if recovered is None else f'{recovered:.1f} s'} "
          "after the database came back")  # fmt: skip
    down = ",".join(f"{code}:{n}" for code, n in sorted(during.items()))
    return {f"outage_{kind}_s": options.outage_seconds,
            f"outage_{kind}_while_down": down,
            f"outage_{kind}_recovery_s": f"{recovered:.1f}" if recovered is not None else "never",
            }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", default="saves,kills,outage", help="comma-separated")
    parser.add_argument("--databases", default=f"sqlite,{DEFAULT_POSTGRESQL}",
                        help="comma-separated: sqlite and/or PostgreSQL URLs")  # fmt: skip
    parser.add_argument("--saves", type=int, default=500)
    parser.add_argument("--threads", type=int, default=20, help="concurrent connections saving")
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--outage-seconds", type=int, default=10)
    parser.add_argument("--docs", type=int, default=300, help="synthetic entries in the catalogue")
    options = parser.parse_args()
    scenarios = {"saves": saves, "kills": kills, "outage": outage}
    chosen = [name.strip() for name in options.scenarios.split(",")]
    result: dict = {}
    for spec in options.databases.split(","):
        kind = "sqlite" if spec == "sqlite" else "postgresql"
        for name in chosen:
            if name == "outage" and kind == "sqlite":
                continue  # a file: there is no server to lose
            with tempfile.TemporaryDirectory(prefix="fault-bench-") as work, database(spec) as url:
                work = Path(work)
                url = url or f"sqlite:///{work / f'{name}-{kind}' / 'marketplace.db'}"
                result.update(scenarios[name](url, kind, work, options))
    result["load"] = load_average().replace(" ", "/")
    print("RESULT " + " ".join(f"{key}={value}" for key, value in result.items()))


if __name__ == "__main__":
    main()
