"""django-axes: lock after 5 failures for username + IP; a forged X-Forwarded-For cannot dodge it."""

import pytest
from axes.models import AccessAttempt

pytestmark = pytest.mark.django_db


def _fail(client, username="alice", **extra):
    return client.post("/accounts/login/", {"username": username, "password": "wrong-password"}, **extra)


def test_fifth_failure_locks_and_even_the_right_password_is_refused(client, alice, password):
    for _ in range(4):
        assert _fail(client).status_code == 200
    locked = _fail(client)
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    right = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert right.status_code == 429


def test_lockout_is_per_username_and_ip(client, alice, bob, password):
    for _ in range(5):
        _fail(client, "alice")
    # Another user from the same address can still sign in.
    assert client.post("/accounts/login/", {"username": "bob", "password": password}).status_code == 302
    # Alice from another address is not locked either.
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": password}, REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 302


def test_forged_x_forwarded_for_does_not_dodge_the_lock_without_proxies(client, alice, password):
    for n in range(5):
        _fail(client, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": password}, HTTP_X_FORWARDED_FOR="198.51.100.77"
    )
    assert response.status_code == 429


def test_forged_x_forwarded_for_does_not_dodge_the_lock_behind_one_proxy(client, alice, password, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # nginx appends the real client (203.0.113.5); the attacker controls what comes before it.
    for n in range(5):
        _fail(client, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.5", REMOTE_ADDR="127.0.0.1")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": password},
        HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.5",
        REMOTE_ADDR="127.0.0.1",
    )
    assert response.status_code == 429


def test_failures_are_logged_without_the_password(client, alice, caplog):
    with caplog.at_level("WARNING", logger="branch_courier.auth"):
        _fail(client, HTTP_USER_AGENT="agent/1.0")
    records = [r for r in caplog.records if r.getMessage() == "Login failed"]
    assert records and records[0].username == "alice" and records[0].ip == "127.0.0.1"
    assert records[0].user_agent == "agent/1.0"
    assert "wrong-password" not in caplog.text


def test_success_is_logged(client, alice, password, caplog):
    with caplog.at_level("INFO", logger="branch_courier.auth"):
        client.post("/accounts/login/", {"username": "alice", "password": password})
    assert any(r.getMessage() == "Login successful" and r.username == "alice" for r in caplog.records)
    assert password not in caplog.text
