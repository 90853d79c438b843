"""The production server's settings (gunicorn.conf.py): workers, logs without tokens, a start."""

from __future__ import annotations

import os
import re
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).with_name("gunicorn")


def settings(monkeypatch, cores: int | None = 2, **env: str) -> dict:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    return runpy.run_path(str(CONF))


def access_line(monkeypatch, path: str, query: str, referrer: str) -> str:
    conf = settings(monkeypatch)
    config = Config()
    config.set("access_log_format", conf["access_log_format"])
    logger = conf["RedactingLogger"](config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.7",
        "HTTP_REFERER": referrer,
    }
    response = SimpleNamespace(status="200 OK", sent=120, headers=[])
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(0, 0, 3000))
    return conf["access_log_format"] % atoms


def test_workers_follow_the_cores_and_web_concurrency_overrides_them(monkeypatch):
    assert settings(monkeypatch, cores=2)["workers"] == 3
    assert settings(monkeypatch, cores=8)["workers"] == 9
    assert settings(monkeypatch, cores=None)["workers"] == 2
    assert settings(monkeypatch, cores=8, WEB_CONCURRENCY="4")["workers"] == 4


def test_timeouts_and_graceful_reload_are_set(monkeypatch):
    conf = settings(monkeypatch)
    assert conf["timeout"] == 30
    assert conf["graceful_timeout"] == 30
    assert conf["preload_app"] is False  # HUP loads the new code in the new workers
    assert settings(monkeypatch, GUNICORN_TIMEOUT="60")["timeout"] == 60


def test_the_access_log_carries_no_query_string_referrer_or_token(monkeypatch):
    conf = settings(monkeypatch)
    for atom in ("%(r)s", "%(q)s", "%(f)s", "{cookie}i"):
        assert atom not in conf["access_log_format"]
    line = access_line(
        monkeypatch, "/solutions", "q=energy&token=s3cret", "https://x/?token=s3cret"
    )
    assert "/solutions" in line
    assert "s3cret" not in line
    assert "token=" not in line


@pytest.mark.parametrize("path", ["/reset/abc.DEF-123", "/invite/abc.DEF-123"])
def test_tokens_in_paths_are_masked(monkeypatch, path):
    line = access_line(monkeypatch, path, "", "-")
    assert "abc.DEF-123" not in line
    assert path.rsplit("/", 1)[0] + "/***" in line


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (our loopback server)
        return response.status, response.read().decode()


@pytest.mark.functional
def test_the_app_serves_under_gunicorn_with_this_config(demo_data_dir, copy_data, tmp_path):
    copied = copy_data(demo_data_dir, tmp_path / "data", "demo")
    port = free_port()
    env = {
        **os.environ,
        "WEB_CONCURRENCY": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "MARKETPLACE_ENV": "production",
        "MARKETPLACE_SECRET_KEY": "gunicorn-test",
        "MARKETPLACE_SEARCH_ENCODER": "none",
        **{f"MARKETPLACE_{key}": value for key, value in copied.items()},
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 (our own gunicorn)
            [str(GUNICORN), "-c", str(CONF), "marketplace:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                status, home = get(f"{base}/")
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                time.sleep(0.1)
        else:
            pytest.fail(f"gunicorn did not answer: {log.read_text()}")
        assert status == 200
        assert "Tech4Good" in home
        status, _ = get(f"{base}/solutions?q=energy&token=s3cret")
        assert status == 200
        booted = re.findall(r"Booting worker with pid", log.read_text())
        assert len(booted) == 2
    finally:
        server.terminate()
        server.wait(timeout=30)
    written = log.read_text()
    assert '"GET /solutions HTTP/1.1" 200' in written
    assert "s3cret" not in written
