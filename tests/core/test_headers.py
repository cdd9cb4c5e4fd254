"""Security headers on a normal page, and the request id round trip."""

import io
import json
import logging

import pytest

from branch_courier.core.logging import ContextFilter, JsonFormatter

pytestmark = pytest.mark.django_db


def test_login_page_carries_strict_csp_and_security_headers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_pages_have_no_inline_script_or_style(client):
    body = client.get("/accounts/login/").content.decode()
    assert "<script>" not in body
    assert ' style="' not in body


def test_it_generates_a_request_id(client):
    response = client.get("/accounts/login/")
    assert len(response["X-Request-ID"]) == 32


def test_it_honours_and_echoes_a_valid_request_id(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="abc123-from-nginx-0001")
    assert response["X-Request-ID"] == "abc123-from-nginx-0001"


def test_it_replaces_a_request_id_that_could_inject_log_lines(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="evil\nid <script>")
    assert response["X-Request-ID"] != "evil\nid <script>"
    assert len(response["X-Request-ID"]) == 32


def test_request_id_is_in_the_json_log_line(client, alice):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    auth_logger = logging.getLogger("branch_courier.auth")
    auth_logger.addHandler(handler)
    try:
        response = client.post(
            "/accounts/login/",
            {"username": "alice", "password": "wrong-password"},
            HTTP_X_REQUEST_ID="req-1234567890",
            HTTP_USER_AGENT="pytest-agent",
        )
    finally:
        auth_logger.removeHandler(handler)
    assert response["X-Request-ID"] == "req-1234567890"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    failed = [line for line in lines if line["message"] == "Login failed"]
    assert failed, lines
    line = failed[0]
    assert line["request_id"] == "req-1234567890"
    assert line["username"] == "alice"
    assert line["user_agent"] == "pytest-agent"
    assert line["level"] == "WARNING"
    assert line["logger"] == "branch_courier.auth"
    assert line["service"] == "branch-courier-app"
    assert "timestamp" in line and "environment" in line and "user_id" in line
    assert "wrong-password" not in stream.getvalue()


def test_user_id_appears_in_log_lines_of_signed_in_requests(alice_client, alice):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    audit_logger = logging.getLogger("audit")
    audit_logger.addHandler(handler)
    try:
        alice_client.get("/")
    finally:
        audit_logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines and lines[-1]["user_id"] == alice.pk


def test_each_request_writes_an_access_log_line_without_the_query_string(client, caplog):
    with caplog.at_level("INFO", logger="branch_courier.request"):
        client.get("/accounts/login/?phone=5551234567")
    records = [r for r in caplog.records if r.name == "branch_courier.request"]
    assert len(records) == 1
    record = records[0]
    assert (record.method, record.path, record.status_code) == ("GET", "/accounts/login/", 200)
    assert "5551234567" not in caplog.text
