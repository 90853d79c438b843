"""Outgoing mail: the development outbox, and delivery to a real SMTP server on localhost."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from marketplace.mail import MailError, read_outbox, send_mail

SMTP_USER = "mailer"
SMTP_PASSWORD = "s3cret-smtp-password"


class Collector:
    """aiosmtpd handler keeping each envelope with the login of the session that sent it."""

    def __init__(self) -> None:
        self.received: list[tuple[LoginPassword | None, object]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append((session.auth_data, envelope))
        return "250 Message accepted for delivery"


def check_login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def free_port() -> int:
    """A port nothing listens on (the kernel picked it and we released it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Start a real aiosmtpd server on 127.0.0.1; returns (port, handler); stopped afterwards."""
    controllers: list[Controller] = []

    def start(**smtp_options) -> tuple[int, Collector]:
        handler = Collector()
        controller = Controller(
            handler,
            hostname="127.0.0.1",
            port=free_port(),
            server_hostname="mail.test",
            **smtp_options,
        )
        controller.start()
        controllers.append(controller)
        return controller.port, handler

    yield start
    for controller in controllers:
        controller.stop()


def use_smtp(app, port: int, **overrides) -> None:
    settings = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_SECURITY": "none"}
    app.config.update({**settings, "SMTP_TIMEOUT": 5, **overrides})


def test_outbox_writes_readable_eml_and_logs_without_body(app, caplog):
    caplog.set_level(logging.INFO, logger="marketplace.mail")
    body = "Olá from Guimarães.\nYour sign-in link: https://example.org/login/TOKEN-123\n"
    with app.app_context():
        send_mail(
            "ana@example.org", "Sign in to the marketplace", body, reply_to="team@example.org"
        )

    outbox = Path(app.config["DATA_DIR"]) / "outbox"
    files = list(outbox.iterdir())
    assert len(files) == 1
    assert files[0].suffix == ".eml"
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Sign in to the marketplace"
    assert message["Reply-To"] == "team@example.org"
    assert message["Date"].datetime.utcoffset() == timedelta(0)
    assert message["Message-ID"].endswith("@tech4good.example>")
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content() == body

    assert "ana@example.org" in caplog.text
    assert "(Sign in to the marketplace)" in caplog.text
    assert str(files[0]) in caplog.text
    assert "TOKEN-123" not in caplog.text
    assert "Guimarães" not in caplog.text


def test_read_outbox_returns_oldest_first(app):
    with app.app_context():
        for n in range(3):
            send_mail("ana@example.org", f"message {n}", f"body {n}")
    messages = read_outbox(app.config["DATA_DIR"])
    assert [m["Subject"] for m in messages] == ["message 0", "message 1", "message 2"]
    assert messages[2].get_content() == "body 2\n"


def test_read_outbox_of_a_fresh_data_dir_is_empty(tmp_path):
    assert read_outbox(tmp_path) == []


@pytest.mark.parametrize(
    ("to", "subject", "reply_to"),
    [
        ("ana@example.org\r\nBcc: victim@example.org", "Hello", None),
        ("ana@example.org", "Hello", "team@example.org\nBcc: victim@example.org"),
    ],
)
def test_header_injection_is_rejected(app, to, subject, reply_to):
    with app.app_context(), pytest.raises(ValueError, match="line break"):
        send_mail(to, subject, "body", reply_to=reply_to)
    assert read_outbox(app.config["DATA_DIR"]) == []


@pytest.mark.parametrize("subject", ["Hello\nBcc: victim@example.org", "Hello\r", "Hi\u2028x"])
def test_a_subject_with_line_breaks_is_sent_as_one_line(app, subject):
    # Subjects carry entry titles: a hostile title must not stop (or inject into) the mail.
    with app.app_context():
        send_mail("ana@example.org", subject, "body")
    [message] = read_outbox(app.config["DATA_DIR"])
    assert message["Bcc"] is None
    assert message["Subject"] == " ".join(subject.replace("\u2028", " ").split())


def test_smtp_delivers_to_real_server(app, smtp_server):
    port, handler = smtp_server()
    use_smtp(app, port)
    with app.app_context():
        send_mail("ana@example.org", "Welcome", "Bem-vinda a Guimarães!\n")

    assert len(handler.received) == 1
    login, envelope = handler.received[0]
    assert login is None
    assert envelope.rcpt_tos == ["ana@example.org"]
    assert envelope.mail_from == "noreply@tech4good.example"
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Welcome"
    # Lines arrive with the wire's CRLF endings.
    assert message.get_content().splitlines() == ["Bem-vinda a Guimarães!"]
    assert read_outbox(app.config["DATA_DIR"]) == []


def test_smtp_logs_in_when_username_is_set(app, smtp_server):
    port, handler = smtp_server(authenticator=check_login, auth_require_tls=False)
    use_smtp(app, port, SMTP_USERNAME=SMTP_USER, SMTP_PASSWORD=SMTP_PASSWORD)
    with app.app_context():
        send_mail("ana@example.org", "Welcome", "body")

    assert [login for login, _ in handler.received] == [
        (SMTP_USER.encode(), SMTP_PASSWORD.encode())
    ]


def test_smtp_wrong_password_raises_mail_error_without_the_password(app, smtp_server):
    port, handler = smtp_server(authenticator=check_login, auth_require_tls=False)
    use_smtp(app, port, SMTP_USERNAME=SMTP_USER, SMTP_PASSWORD="wrong-password")
    with app.app_context(), pytest.raises(MailError) as caught:
        send_mail("ana@example.org", "Welcome", "body")
    assert "wrong-password" not in str(caught.value)
    assert handler.received == []


def test_smtp_partly_refused_recipients_raise_mail_error(app, smtp_server):
    port, handler = smtp_server()
    use_smtp(app, port)
    with app.app_context(), pytest.raises(MailError, match="refused recipients: nobody@"):
        send_mail("ana@example.org, nobody@example.org", "Welcome", "body")
    assert [envelope.rcpt_tos for _, envelope in handler.received] == [["ana@example.org"]]


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_modes_never_fall_back_to_plain_text(app, smtp_server, security):
    port, handler = smtp_server()  # a server without TLS
    use_smtp(app, port, SMTP_SECURITY=security)
    with app.app_context(), pytest.raises(MailError, match=f"\\({security}\\) failed"):
        send_mail("ana@example.org", "Welcome", "body")
    assert handler.received == []


def test_unreachable_server_raises_mail_error(app):
    use_smtp(app, free_port())
    with app.app_context(), pytest.raises(MailError, match=r"127\.0\.0\.1"):
        send_mail("ana@example.org", "Welcome", "body")


def test_unknown_security_mode_raises_mail_error(app):
    use_smtp(app, free_port(), SMTP_SECURITY="tls")
    with app.app_context(), pytest.raises(MailError, match="SMTP_SECURITY"):
        send_mail("ana@example.org", "Welcome", "body")
