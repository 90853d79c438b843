"""Sign-in and reset requests under attack: limits per account and network, 429 pages, mail after
the response, ProxyFix, and limits shared by two app instances."""

from __future__ import annotations

import threading

import pytest
import test_mail
from limit_helpers import REDIS_URL, Clock, close, forget_redis_keys, redis_prefix, twin, use_clock
from test_mail import use_smtp

smtp_server = test_mail.smtp_server  # the real SMTP server of the mail tests

PASSWORD = "correct horse battery"
WRONG = "not the password at all"


@pytest.fixture
def clock(app):
    return use_clock(app, Clock())


def signed_in(client) -> bool:
    return client.get("/my").status_code == 200


def login(client, email: str, password: str, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def test_fifty_wrong_passwords_then_the_right_one_does_not_sign_in(client, publisher, clock):
    answers = [login(client, publisher.email, WRONG).status_code for _ in range(50)]
    assert answers == [400] * 5 + [429] * 45
    right = login(client, publisher.email, PASSWORD)
    assert right.status_code == 429
    assert not signed_in(client)
    clock.advance(15 * 60)  # the window has ended
    assert login(client, publisher.email, PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_limited_page_says_why_keeps_the_email_and_gives_retry_after(client, publisher, clock):
    for _ in range(5):
        login(client, publisher.email, WRONG)
    clock.advance(60)
    page = login(client, publisher.email, WRONG)
    assert page.status_code == 429
    assert page.headers["Retry-After"] == str(15 * 60 - 60)
    assert "Too many failed sign-ins" in page.text
    assert "try again in 14 minutes" in page.text
    assert f'value="{publisher.email}"' in page.text
    french = login(client, publisher.email, WRONG, headers={"Accept-Language": "fr"})
    assert french.status_code == 429
    assert "Trop de connexions" in french.text


def test_an_unknown_account_is_limited_the_same_way(client, clock):
    answers = [login(client, "nobody@example.org", WRONG).status_code for _ in range(6)]
    assert answers == [400] * 5 + [429]


def test_a_right_password_forgets_the_accounts_earlier_failures(client, publisher, clock):
    for _ in range(4):
        login(client, publisher.email, WRONG)
    assert login(client, publisher.email, PASSWORD).status_code == 302
    client.post("/logout")
    assert [login(client, publisher.email, WRONG).status_code for _ in range(5)] == [400] * 5


def test_one_network_is_limited_across_accounts(app, client, make_user, clock):
    users = [make_user() for _ in range(21)]
    answers = [login(client, user.email, WRONG).status_code for user in users[:20]]
    assert answers == [400] * 20
    assert login(client, users[20].email, PASSWORD).status_code == 429  # the network is paused
    other_network = app.test_client()
    other_network.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert login(other_network, users[20].email, PASSWORD).status_code == 302


def test_without_proxy_fix_a_forwarded_address_is_not_believed(client, make_user, clock):
    users = [make_user() for _ in range(21)]
    for n, user in enumerate(users[:20]):
        login(client, user.email, WRONG, headers={"X-Forwarded-For": f"203.0.113.{n}"})
    forged = {"X-Forwarded-For": "203.0.113.200"}
    assert login(client, users[20].email, PASSWORD, headers=forged).status_code == 429


def test_proxy_fix_with_one_hop_limits_the_forwarded_client_address(app, make_user):
    behind_proxy = twin(app, PROXY_FIX=1)
    try:
        use_clock(behind_proxy, Clock())
        client = behind_proxy.test_client()
        users = [make_user() for _ in range(21)]
        attacker = {"X-Forwarded-For": "203.0.113.5"}
        for user in users[:20]:
            assert login(client, user.email, WRONG, headers=attacker).status_code == 400
        assert login(client, users[20].email, PASSWORD, headers=attacker).status_code == 429
        # The proxy's own address (REMOTE_ADDR) is the same; only the client behind it differs.
        someone_else = {"X-Forwarded-For": "203.0.113.6"}
        assert login(client, users[20].email, PASSWORD, headers=someone_else).status_code == 302
    finally:
        close(behind_proxy)


def test_reset_requests_are_limited_and_mail_at_most_the_limit(
    app, client, publisher, clock, smtp_server
):
    port, handler = smtp_server()
    use_smtp(app, port)
    answers = []
    for _ in range(20):
        response = client.post("/reset", data={"email": publisher.email})
        response.close()  # as the WSGI server does once the page is sent
        answers.append(response.status_code)
    assert answers == [200] * 3 + [429] * 17
    assert len(handler.received) == 3
    limited = client.post("/reset", data={"email": publisher.email})
    assert limited.headers["Retry-After"] == str(60 * 60)
    assert "Too many reset links" in limited.text
    assert f'value="{publisher.email}"' in limited.text
    clock.advance(60 * 60)
    client.post("/reset", data={"email": publisher.email}).close()
    assert len(handler.received) == 4


def test_reset_requests_are_limited_per_network_across_addresses(app, client, clock):
    answers = [
        client.post("/reset", data={"email": f"someone{n}@example.org"}).status_code
        for n in range(11)
    ]
    assert answers == [200] * 10 + [429]


def test_reset_answers_known_and_unknown_addresses_alike_and_mails_after_the_response(
    app, client, publisher, clock, smtp_server
):
    port, handler = smtp_server()
    use_smtp(app, port)
    known = client.post("/reset", data={"email": publisher.email})
    unknown = client.post("/reset", data={"email": "nobody-here@porto.example"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(publisher.email, "X") == unknown.text.replace(
        "nobody-here@porto.example", "X"
    )
    assert handler.received == []  # nothing was sent while the request ran
    known.close()
    unknown.close()
    assert len(handler.received) == 1
    (envelope,) = [envelope for _login, envelope in handler.received]
    assert envelope.rcpt_tos == [publisher.email]


def test_a_mail_failing_after_the_response_is_logged_and_kept(app, client, publisher, caplog):
    use_smtp(app, test_mail.free_port())  # nothing listens there
    response = client.post("/reset", data={"email": publisher.email})
    assert response.status_code == 200
    response.close()
    assert "not sent" in caplog.text


@pytest.mark.parametrize("store", ["database", "redis"])
def test_two_app_instances_share_the_sign_in_limit(app, publisher, store):
    settings = {}
    if store == "redis":
        settings = {"REDIS_URL": REDIS_URL, "RATE_LIMIT_PREFIX": redis_prefix()}
    first = twin(app, **settings) if settings else app
    second = twin(first)
    try:
        clock = Clock()
        use_clock(first, clock)
        use_clock(second, clock)
        for _ in range(3):
            assert login(first.test_client(), publisher.email, WRONG).status_code == 400
        for _ in range(2):
            assert login(second.test_client(), publisher.email, WRONG).status_code == 400
        assert login(first.test_client(), publisher.email, PASSWORD).status_code == 429
        assert login(second.test_client(), publisher.email, PASSWORD).status_code == 429
    finally:
        close(second)
        if settings:
            forget_redis_keys(settings["RATE_LIMIT_PREFIX"])
            close(first)


def test_concurrent_reports_from_one_network_stop_at_the_limit(app, make_solution):
    """Requests that count at the same moment cannot all see room under REPORTS_PER_HOUR."""
    slug = make_solution().slug
    start, answers = threading.Barrier(8), []

    def report() -> None:
        client = app.test_client()
        start.wait()
        response = client.post(
            f"/solutions/{slug}/report", data={"reason": "outdated", "text": "Ended in 2023."}
        )
        answers.append(response.status_code)

    threads = [threading.Thread(target=report) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [302] * 5 + [429] * 3


def test_a_redis_that_does_not_answer_refuses_sign_in_for_a_moment(app, publisher):
    down = twin(app, REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        client = down.test_client()
        page = login(client, publisher.email, PASSWORD)
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "10"
        assert "Temporarily unavailable" in page.text
        assert not signed_in(client)
        reset = client.post("/reset", data={"email": publisher.email})
        assert reset.status_code == 503
        reset.close()
    finally:
        close(down)
