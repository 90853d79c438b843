"""How long POST /reset takes for an address with an account and for one without.

    .venv/bin/python bench/reset_timing.py [--requests N] [--smtp]

Builds an app with create_app on a temporary data dir (SQLite), one account, rate limits raised
out of the way, and posts the reset form N times for each address, interleaved (each first in
turn), through the test client. The time measured is the request's, up to the response; the
mail (when the account exists) goes when the response is closed, as a WSGI server does after
sending it, and is not counted. With --smtp the mail goes to an aiosmtpd server on 127.0.0.1
(default: the outbox folder). The last line is machine-readable:
RESULT known_ms=X unknown_ms=X ratio=X share_faster=X
with the medians, their ratio and the share of pairs where the known address answered slower
(0.5 means its timing says nothing).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time

from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import User

KNOWN, UNKNOWN = "ana@example.org", "nobody@example.org"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--smtp", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        config = {
            "DATA_DIR": data_dir,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "SEARCH_ENCODER": "none",
            "SEARCH_EMBED_IN_BACKGROUND": False,
            "RESET_REQUESTS_PER_ADDRESS": 10**9,
            "RESET_REQUESTS_PER_IP": 10**9,
        }
        controller = None
        if options.smtp:
            from aiosmtpd.controller import Controller
            from aiosmtpd.handlers import Sink

            with socket.socket() as sock:  # a free port
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            controller = Controller(Sink(), hostname="127.0.0.1", port=port)
            controller.start()
            config |= {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": controller.port}
            config |= {"SMTP_SECURITY": "none"}
        app = create_app(config)
        with app.app_context():
            db.create_all()
            user = User(email=KNOWN, display_name="Ana", role="curator")
            user.set_password("a long enough password")
            db.session.add(user)
            db.session.commit()
        client = app.test_client()
        times: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
        for n in range(options.requests):
            for email in (KNOWN, UNKNOWN) if n % 2 else (UNKNOWN, KNOWN):  # neither always first
                started = time.perf_counter()
                response = client.post("/reset", data={"email": email})
                times[email].append(time.perf_counter() - started)
                if response.status_code != 200:
                    sys.exit(f"unexpected status {response.status_code}")
                response.close()  # the mail, if any, leaves now
        if controller is not None:
            controller.stop()
    known, unknown = (statistics.median(times[e]) * 1000 for e in (KNOWN, UNKNOWN))
    slower = sum(k > u for k, u in zip(times[KNOWN], times[UNKNOWN], strict=True))
    print(f"POST /reset median: account {known:.2f} ms, no account {unknown:.2f} ms")
    print(
        f"RESULT known_ms={known:.2f} unknown_ms={unknown:.2f} ratio={known / unknown:.2f} "
        f"share_faster={slower / options.requests:.2f}"
    )


if __name__ == "__main__":
    main()
