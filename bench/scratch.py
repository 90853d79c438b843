"""Scratch places for the benches: a data dir, a database made and dropped, a served node."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')  # in every form's HTML
DESCRIPTION = (  # long enough for a submission
    "The city measured the energy use of every public school, chose the twelve roofs with the "
    "best exposure and let a citizen cooperative finance the panels. Pupils follow the "
    "production on a screen in the hall, and the savings pay back the cooperative in nine years."
)


@contextmanager
def database(spec: str) -> Iterator[str | None]:
    """None for "sqlite" (the file in each data dir), else the URL of a new database on the
    server of the PostgreSQL URL ``spec``, dropped afterwards."""
    if spec == "sqlite":
        yield None
        return
    url = make_url(spec)
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings(data_dir: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    """The environment of a node or a command on ``data_dir`` and the database."""
    env = {**os.environ, "MARKETPLACE_DATA_DIR": str(data_dir), "MARKETPLACE_SECRET_KEY": "bench"}
    if database_url:
        env["MARKETPLACE_DATABASE_URL"] = database_url
    env.update(extra)
    return env


class Node:
    """gunicorn with the production config (gunicorn.conf.py) on a free loopback port."""

    def __init__(
        self,
        data_dir: Path,
        database_url: str | None,
        workers: int | None,
        log: Path,
        env: dict[str, str] | None = None,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        extra = {"GUNICORN_BIND": f"127.0.0.1:{self.port}", **(env or {})}
        if workers:
            extra["WEB_CONCURRENCY"] = str(workers)
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 (our own gunicorn)
                [str(GUNICORN), "-c", "gunicorn.conf.py", "marketplace:create_app()"],
                cwd=ROOT, env=settings(data_dir, database_url, **extra),
                stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.wait_until_serving()

    def wait_until_serving(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {seconds} s: see {self.log}")

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in children.split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
