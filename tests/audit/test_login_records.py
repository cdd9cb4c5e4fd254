"""Failed sign-ins, lockouts and sign-outs leave audit rows; the password never does."""

import json

import pytest

from audit.models import AuditLog

pytestmark = pytest.mark.django_db


def _fail(client, username="alice", **extra):
    return client.post("/accounts/login/", {"username": username, "password": "wrong-password"}, **extra)


def test_a_failed_login_is_recorded_without_the_password(client, alice):
    _fail(client, HTTP_USER_AGENT="kiosk/3", REMOTE_ADDR="192.0.2.44", HTTP_X_REQUEST_ID="req-login-0001")
    entry = AuditLog.objects.get(action="auth.login_failed")
    assert entry.username == "alice" and entry.user_id is None
    assert entry.branch_code == "AAA01"
    assert entry.ip == "192.0.2.44" and entry.user_agent == "kiosk/3"
    assert entry.request_id == "req-login-0001"
    assert entry.changes == {"locked_out": False}
    row = json.dumps(list(AuditLog.objects.values()), default=str)
    assert "wrong-password" not in row


def test_a_failed_login_for_an_unknown_user_is_recorded_too(client, db):
    _fail(client, username="mallory")
    entry = AuditLog.objects.get(action="auth.login_failed")
    assert entry.username == "mallory" and entry.branch_code == ""


def test_a_lockout_is_recorded(client, alice, password):
    for _ in range(5):
        _fail(client)
    assert AuditLog.objects.filter(action="auth.login_failed").count() == 5
    lockout = AuditLog.objects.get(action="auth.locked_out")
    assert lockout.username == "alice" and lockout.ip == "127.0.0.1"
    assert lockout.changes == {"failures": 5}
    # Trying again while locked, even with the right password, is recorded as refused.
    assert client.post("/accounts/login/", {"username": "alice", "password": password}).status_code == 429
    assert AuditLog.objects.filter(action="auth.locked_out").count() == 2
    assert password not in json.dumps(list(AuditLog.objects.values()), default=str)


def test_a_successful_login_and_the_logout_are_recorded(client, alice, password):
    client.post("/accounts/login/", {"username": "alice", "password": password})
    login = AuditLog.objects.get(action="POST /accounts/login/")
    assert login.username == "alice" and login.status_code == 302
    client.post("/accounts/logout/")
    assert AuditLog.objects.get(action="auth.logout").user_id == alice.pk


def test_a_database_error_during_a_failed_login_still_shows_the_form(client, alice, failing_audit_inserts):
    response = _fail(client)
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
