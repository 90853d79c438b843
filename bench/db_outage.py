"""The database going away for 10 s under a running web server, and the app recovering by itself.

    .venv/bin/python bench/db_outage.py [--server URL] [--outage 10] [--before 3] [--after 5]

Makes a PostgreSQL database of its own on the server (default: the development machine's,
postgresql+psycopg://root@127.0.0.1:5432/test; the role needs CREATEDB), creates the tables and the
search index in a temporary data dir, and serves the app with werkzeug's threaded server. A
client asks for `/`, `/solutions` and `/healthz` in turn, every 50 ms, for ``before`` seconds;
then the database refuses connections and its open ones are ended (ALTER DATABASE ...
ALLOW_CONNECTIONS false and pg_terminate_backend, as a restart or failover does) for ``outage``
seconds; then it is back for ``after`` seconds. Nothing is restarted. The database is dropped at
the end.

Prints, per phase, the statuses answered, whether every 503 page was the site's own (its header)
with Retry-After, and the seconds from the database's return to the first page answered 200.
The last line is machine-readable:
RESULT before_ok=N outage_503=N outage_other=N after_ok=N after_other=N recovered_s=X
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from werkzeug.serving import make_server

from marketplace import create_app, search
from marketplace.extensions import db

PATHS = ("/", "/solutions", "/healthz")


def _admin(server: str):
    return create_engine(server, isolation_level="AUTOCOMMIT")


def _sql(server: str, statement: str, **params) -> None:
    engine = _admin(server)
    with engine.connect() as connection:
        connection.execute(text(statement), params)
    engine.dispose()


def _get(url: str) -> tuple[int, str, str | None]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own server)
            return response.status, response.read().decode(), response.headers["Retry-After"]
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers["Retry-After"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql+psycopg://root@127.0.0.1:5432/test")
    parser.add_argument("--outage", type=float, default=10.0)
    parser.add_argument("--before", type=float, default=3.0)
    parser.add_argument("--after", type=float, default=5.0)
    args = parser.parse_args()

    name = f"mp_outage_{uuid.uuid4().hex[:12]}"
    _sql(args.server, f'CREATE DATABASE "{name}"')
    url = make_url(args.server).set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            settings = {"DATA_DIR": str(Path(data_dir)), "DATABASE_URL": url, "SECRET_KEY": "x"}
            app = create_app({**settings, "SEARCH_ENCODER": "none"})
            with app.app_context():
                db.create_all()
                search.rebuild()
            server = make_server("127.0.0.1", 0, app, threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{server.server_port}"
            seen, design = {p: Counter() for p in ("before", "outage", "after")}, True
            recovered = None
            start = time.monotonic()
            phase, back_at, n = "before", None, 0
            while True:
                now = time.monotonic() - start
                if phase == "before" and now >= args.before:
                    phase = "outage"
                    _sql(args.server, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                    _sql(
                        args.server,
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :name AND pid <> pg_backend_pid()",
                        name=name,
                    )
                elif phase == "outage" and now >= args.before + args.outage:
                    _sql(args.server, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
                    phase, back_at = "after", time.monotonic()
                elif phase == "after" and now >= args.before + args.outage + args.after:
                    break
                path = PATHS[n % len(PATHS)]
                n += 1
                status, body, retry_after = _get(base + path)
                seen[phase][status] += 1
                if status == 503 and path != "/healthz":
                    design &= 'class="brand"' in body and retry_after is not None
                if phase == "after" and status == 200 and recovered is None:
                    recovered = time.monotonic() - back_at
                time.sleep(0.05)
            server.shutdown()
            with app.app_context():
                db.engine.dispose()
    finally:
        _sql(args.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    for phase, counts in seen.items():
        print(f"{phase:>7}: " + ", ".join(f"{s}: {c}" for s, c in sorted(counts.items())))
    print(f"503 pages in the site's design with Retry-After: {'yes' if design else 'NO'}")
    print(f"first 200 after the database came back: {recovered:.2f} s")
    outage = seen["outage"]
    print(
        f"RESULT before_ok={seen['before'][200]} outage_503={outage[503]}"
        f" outage_other={sum(outage.values()) - outage[503]} after_ok={seen['after'][200]}"
        f" after_other={sum(seen['after'].values()) - seen['after'][200]}"
        f" recovered_s={recovered:.2f}"
    )


if __name__ == "__main__":
    main()
