"""The request audit: one row per signed-in request, also in the JSON log, never a broken page."""

import io
import json
import logging

import pytest
from prometheus_client import REGISTRY

from audit.models import AuditLog
from branch_courier.core.logging import ContextFilter, JsonFormatter

pytestmark = pytest.mark.django_db


def _metric(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_signed_in_request_is_recorded_with_all_fields(alice_client, alice):
    response = alice_client.get(
        "/?page=2&token=s3cret",
        HTTP_USER_AGENT="counter-browser/1.0",
        HTTP_X_REQUEST_ID="req-0123456789",
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 200
    entry = AuditLog.objects.get()
    assert entry.action == "GET /"
    assert entry.user_id == alice.pk and entry.username == "alice"
    assert entry.branch_code == "AAA01"
    assert entry.ip == "192.0.2.10"
    assert entry.user_agent == "counter-browser/1.0"
    assert entry.request_id == "req-0123456789" == response["X-Request-ID"]
    assert entry.status_code == 200
    assert entry.duration_ms is not None and entry.duration_ms >= 0
    assert entry.timestamp.utcoffset().total_seconds() == 0
    # The query string may carry tokens: only the path is kept.
    assert "s3cret" not in json.dumps([entry.action, entry.changes, entry.object_repr])


def test_the_ip_follows_the_trusted_proxy_rule(alice_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    alice_client.get("/", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.5", REMOTE_ADDR="127.0.0.1")
    assert AuditLog.objects.get().ip == "203.0.113.5"


def test_a_post_body_is_never_stored(alice_client, password):
    alice_client.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": "Brand-new-42x", "new_password2": "Brand-new-42x"},
    )
    entry = AuditLog.objects.get(action="POST /accounts/password/")
    stored = json.dumps([entry.action, entry.changes, entry.object_repr, entry.user_agent])
    assert password not in stored and "Brand-new-42x" not in stored


def test_anonymous_requests_and_probes_are_not_recorded(client, alice):
    client.get("/accounts/login/")
    client.force_login(alice)
    for path in ("/live", "/ready", "/health"):
        client.get(path)
    assert AuditLog.objects.count() == 0


def test_the_record_also_goes_to_the_json_log_under_the_audit_logger(alice_client, alice):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    audit_logger = logging.getLogger("audit")
    audit_logger.addHandler(handler)
    try:
        alice_client.get("/", HTTP_USER_AGENT="ua/2", HTTP_X_REQUEST_ID="req-log-000001")
    finally:
        audit_logger.removeHandler(handler)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["logger"] == "audit"
    assert line["audit_action"] == "GET /"
    assert line["username"] == "alice" and line["user_id"] == alice.pk
    assert line["request_id"] == "req-log-000001"
    assert line["user_agent"] == "ua/2" and line["status_code"] == 200


def test_the_write_time_is_measured(alice_client):
    before = _metric("audit_write_seconds_count")
    alice_client.get("/")
    assert _metric("audit_write_seconds_count") == before + 1


def test_a_database_error_while_writing_the_row_does_not_break_the_page(
    alice_client, failing_audit_inserts, caplog
):
    failures = _metric("audit_write_failures_total")
    with caplog.at_level(logging.ERROR, logger="audit"):
        response = alice_client.get("/", HTTP_X_REQUEST_ID="req-fail-00001")
    assert response.status_code == 200
    assert "Welcome" in response.content.decode()
    assert _metric("audit_write_failures_total") == failures + 1
    # The database really refused (our own trigger), and the record still reached the log.
    failed = [r for r in caplog.records if r.getMessage() == "audit write failed"]
    assert failed and "simulated disk full" in caplog.text
    assert failed[0].audit_action == "GET /" and failed[0].username == "alice"
    # The connection is still usable after the failure: the next page works and is recorded.
    assert alice_client.get("/").status_code == 200


def test_after_a_failed_write_the_next_request_is_recorded_again(alice_client):
    from tests.audit.conftest import audit_inserts_fail

    with audit_inserts_fail():
        assert alice_client.get("/").status_code == 200
    assert alice_client.get("/").status_code == 200
    assert AuditLog.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_row_commits_by_itself_and_a_failure_leaves_none_open(client, alice):
    # As under gunicorn: no test transaction around the request, so the row is a lone INSERT.
    from django.db import connection

    from tests.audit.conftest import audit_inserts_fail

    client.force_login(alice)
    assert client.get("/").status_code == 200
    assert AuditLog.objects.filter(action="GET /").count() == 1
    with audit_inserts_fail():
        assert client.get("/").status_code == 200
    assert not connection.in_atomic_block and connection.get_autocommit()
    assert client.get("/packages/").status_code == 200
    actions = list(AuditLog.objects.values_list("action", flat=True).order_by("id"))
    assert actions == ["GET /", "GET /packages/"]
