"""Outgoing mail: SMTP when SMTP_HOST is set, otherwise .eml files in <DATA_DIR>/outbox/.

Every message is a pair of templates, ``templates/mail/<name>/subject.txt`` and ``body.txt``,
whose links come from ``link`` (MARKETPLACE_BASE_URL and the route, never a typed path).
Services say which message goes to whom with ``notify``: it goes out only once the unit of work
that decided it has committed. A message the SMTP server refuses then is logged and kept in
<DATA_DIR>/outbox/unsent/, which ``flask mail retry`` sends again. A message is written in its
recipient's language: the one their account chose, the one a visitor wrote in (the caller
passes it), else English.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
import tempfile
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Response, current_app, render_template
from flask_babel import force_locale

from . import i18n
from .database import current_unit
from .extensions import db
from .models import User
from .text import clean_line

log = logging.getLogger(__name__)

OUTBOX = "outbox"
UNSENT = "unsent"
SECURITY_MODES = ("starttls", "ssl", "none")
UNFOLDED = policy.default.clone(max_line_length=998)


class MailError(Exception):
    """The SMTP server could not be reached or refused the message; the message says which."""


def send_mail(to: str, subject: str, body: str, *, reply_to: str | None = None) -> None:
    """Send a plain-text UTF-8 message by SMTP, or write it to the outbox when no SMTP_HOST is set.

    :raises ValueError: ``to``, ``subject`` or ``reply_to`` holds a line break (header injection).
    :raises MailError: the SMTP server could not be reached, refused a login or a recipient.
    """
    config = current_app.config
    _deliver(_build(config["MAIL_FROM"], to, subject, body, reply_to), config)


def link(endpoint: str, **values: Any) -> str:
    """The absolute address of a route for a mail, on MARKETPLACE_BASE_URL (a path prefix in it
    is kept), never on the Host header of whatever request is running."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def language_of(user: Any) -> str:
    """The language to write to an account in: the one it chose, else English."""
    language = getattr(user, "language", None)
    return language if language in i18n.LANGUAGES else i18n.DEFAULT


def recipient_language(address: str) -> str:
    """The language of the account with this address, else English (not the sender's: a
    visitor's own language is passed by the caller, who knows it)."""
    language = db.session.scalar(
        db.select(User.language).where(User.email == address.strip().lower())
    )
    return language if language in i18n.LANGUAGES else i18n.DEFAULT


def render(name: str, *, language: str | None = None, **context: Any) -> tuple[str, str]:
    """The subject and body of the message ``name``, from its template pair, in ``language``
    (English when not given): strings, lazy labels and dates all follow it."""
    with force_locale(language if language in i18n.LANGUAGES else i18n.DEFAULT):
        subject = render_template(f"mail/{name}/subject.txt", link=link, **context)
        body = render_template(f"mail/{name}/body.txt", link=link, **context)
    return " ".join(subject.split()), body.strip() + "\n"


def notify(
    name: str,
    to: str,
    *,
    language: str | None = None,
    reply_to: str | None = None,
    unsubscribe: str | None = None,
    **context: Any,
) -> None:
    """Send the message ``name`` to ``to`` once the open unit of work commits, in ``language``,
    by default the language of the account at ``to`` (English for an address with none);
    ``unsubscribe`` is the one-click address of its List-Unsubscribe headers (RFC 8058).

    :raises RuntimeError: no unit of work is open.
    """
    language = language or recipient_language(to)
    subject, body = render(
        name, language=language, reply_to=reply_to, unsubscribe=unsubscribe, **context
    )
    send_after_commit(to, subject, body, reply_to=reply_to, unsubscribe=unsubscribe)


def send_after_commit(
    to: str, subject: str, body: str, *, reply_to: str | None = None, unsubscribe: str | None = None
) -> None:
    """Send the message once the open unit of work commits (nothing is sent on a rollback).

    A refusal then is logged, the message kept in the unsent folder, and the unit's ``failed``
    list names it, so the service can say the recipient could not be told.

    :raises ValueError: a header holds a line break (checked now, before anything commits).
    :raises RuntimeError: no unit of work is open.
    """
    config = current_app.config
    message = _build(config["MAIL_FROM"], to, subject, body, reply_to, unsubscribe=unsubscribe)
    data_dir = Path(config["DATA_DIR"])

    def deliver() -> None:
        if not _deliver_or_keep(message, config, data_dir):
            raise MailError(f"mail to {to} was not sent")

    current_unit().after_commit(deliver, f"mail to {to}")


def after_response(response: Response, work: Callable[[], None], description: str) -> None:
    """Run ``work`` in an app context of its own once the server has sent ``response`` (when
    the WSGI server closes it), so neither the response nor its timing depends on it. A failure
    is logged; the response is sent already.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        with app.app_context():
            try:
                work()
            except Exception:  # nobody is waiting for an answer: report
                log.exception("work after the response failed: %s", description)

    response.call_on_close(run)


def send_now(
    to: str, subject: str, body: str, *, unsubscribe: str | None = None, message_id: str = ""
) -> None:
    """Send a message now, outside any unit of work, or fail: the caller decides what a refusal
    means (alerts keep their digest due). ``message_id`` (local part) makes a resent copy carry
    the Message-ID of the first, so mail clients can show it once.

    :raises ValueError: a header holds a line break.
    :raises MailError: the SMTP server could not be reached or refused the message.
    """
    config = current_app.config
    message = _build(config["MAIL_FROM"], to, subject, body, None, unsubscribe=unsubscribe)
    if message_id:
        domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
        message.replace_header("Message-ID", f"<{message_id}@{domain}>")
    _deliver(message, config)


def send_or_keep(to: str, subject: str, body: str) -> bool:
    """Send a message that decides nothing now; one refused is logged and kept for a retry.

    Returns whether it was sent. :raises ValueError: a header holds a line break.
    """
    config = current_app.config
    message = _build(config["MAIL_FROM"], to, subject, body, None)
    return _deliver_or_keep(message, config, Path(config["DATA_DIR"]))


def _deliver_or_keep(message: EmailMessage, config: Mapping[str, Any], data_dir: Path) -> bool:
    try:
        _deliver(message, config)
    except MailError:
        kept = _write_outbox(message, data_dir / OUTBOX / UNSENT)
        log.exception(
            "mail to %s (%s) not sent; kept in %s", message["To"], message["Subject"], kept
        )
        return False
    return True


def _deliver(message: EmailMessage, config: Mapping[str, Any]) -> None:
    if config["SMTP_HOST"]:
        _send_smtp(message, config)
    else:
        path = _write_outbox(message, Path(config["DATA_DIR"]) / OUTBOX)
        # Recipient and subject only: bodies carry sign-in and reset tokens.
        log.info("mail to %s (%s) written to %s", message["To"], message["Subject"], path)


def retry_unsent() -> tuple[int, int]:
    """Send the messages kept in the unsent folder again; returns (sent, still unsent).

    :raises MailError: never; a message refused again stays for the next retry.
    """
    config = current_app.config
    folder = Path(config["DATA_DIR"]) / OUTBOX / UNSENT
    parser = BytesParser(policy=policy.default)
    sent = left = 0
    for path in sorted(folder.glob("*.eml")):
        message = parser.parsebytes(path.read_bytes())
        try:
            _deliver(message, config)  # type: ignore[arg-type]
        except MailError:
            log.warning("mail to %s still not sent; kept in %s", message["To"], path)
            left += 1
        else:
            path.unlink()
            sent += 1
    return sent, left


def read_outbox(data_dir: str | os.PathLike[str]) -> list[EmailMessage]:
    """The messages in ``<data_dir>/outbox/``, oldest first (file names sort by creation time)."""
    outbox = Path(data_dir) / OUTBOX
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(path.read_bytes()) for path in sorted(outbox.glob("*.eml"))]


def _build(
    sender: str,
    to: str,
    subject: str,
    body: str,
    reply_to: str | None,
    *,
    unsubscribe: str | None = None,
) -> EmailMessage:
    # A subject is made of user text (an entry's title): any line break in it becomes a space.
    subject = " ".join((clean_line(subject) or "").split())
    headers = {"From": sender, "To": to, "Subject": subject, "Reply-To": reply_to}
    if unsubscribe:  # RFC 2369 and RFC 8058's one-click POST to the same https address
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in headers.items():
        if value is not None and ("\r" in value or "\n" in value):
            raise ValueError(f"the {name} header must not contain a line break")
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    # Folded at 78 characters, a long List-Unsubscribe address would come out as RFC 2047
    # encoded words, which mail clients do not decode there: such messages fold at RFC 5322's
    # hard limit only.
    message = EmailMessage(policy=UNFOLDED if unsubscribe else policy.default)
    for name, value in headers.items():
        if value is not None:
            message[name] = value
    # "+0000", not formatdate()'s "-0000", which RFC 5322 reserves for "zone unknown".
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body, charset="utf-8")
    return message


def _send_smtp(message: EmailMessage, config: Mapping[str, Any]) -> None:
    host, port, security = config["SMTP_HOST"], int(config["SMTP_PORT"]), config["SMTP_SECURITY"]
    timeout = float(config["SMTP_TIMEOUT"])
    if security not in SECURITY_MODES:
        raise MailError(f"SMTP_SECURITY must be one of {SECURITY_MODES}, not {security!r}")
    try:
        if security == "ssl":
            context = ssl.create_default_context()
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if config["SMTP_USERNAME"]:
                client.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
            refused = client.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        # The error holds the server's reply at most, never the password we sent.
        raise MailError(f"mail via {host}:{port} ({security}) failed: {error}") from error
    if refused:
        raise MailError(f"mail via {host}:{port} refused recipients: {', '.join(refused)}")


def _write_outbox(message: EmailMessage, outbox: Path) -> Path:
    """Write atomically (temp file, then rename) so readers never see half a message."""
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}-{secrets.token_hex(4)}.eml"
    fd, tmp = tempfile.mkstemp(dir=outbox, prefix=".", suffix=".tmp")  # mode 0600: tokens inside
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
