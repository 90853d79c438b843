"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py 'marketplace:create_app()'`."""

# Every value can be overridden on the command line or in GUNICORN_CMD_ARGS; the environment
# variables below are the ones a deployment usually sets.
from __future__ import annotations

import os
import re

from gunicorn.glogging import Logger

# Address to listen on; a reverse proxy (nginx, a load balancer) sits in front in production.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Requests are CPU-bound (search ranks in Python and numpy, one encoder thread per process), so
# one worker per core plus one to cover a worker waiting on the database; WEB_CONCURRENCY
# (gunicorn's own convention) overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) + 1)
worker_class = "sync"  # behind a buffering proxy; slow clients are the proxy's problem

# A worker silent this long is killed and replaced (the slowest page, a 10k-entry export, takes
# a few seconds); on HUP or TERM, workers get this long to finish the requests they hold.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5

# Recycled after this many requests (with jitter, so they do not restart together): memory a
# worker accumulated is returned without any request being dropped.
max_requests = 2000
max_requests_jitter = 200

# Graceful reload: `kill -HUP <master pid>` (systemctl reload) starts new workers on the new code
# and configuration, then stops the old ones once they finished their requests. The app is
# loaded in each worker, not in the master, so a reload really loads the new code.
preload_app = False
# No control socket (gunicorn 25+): it lives at one path per user, so two servers of one account
# (two nodes, a test run) would fight over it; signals do everything it would.
control_socket_disable = True

# Access log on standard output (journald or the container runtime keeps it). Only the path is
# logged, never the query string, the referrer or cookies: links can carry tokens. Paths with a
# token in them (password reset, invitation, visitor confirmation) are logged with it masked.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%(h)s - %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

TOKEN_PATHS = re.compile(r"^(/(?:reset|invite|contact/confirm)/)[^/]+")


class RedactingLogger(Logger):
    """gunicorn's logger with the tokens in paths masked and no query string in any atom."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = TOKEN_PATHS.sub(r"\1***", atoms.get("U") or "")
        atoms["U"] = path
        atoms["q"] = ""
        atoms["r"] = f"{atoms['m']} {path} {atoms['H']}"
        atoms["f"] = "-"
        return atoms


logger_class = RedactingLogger
