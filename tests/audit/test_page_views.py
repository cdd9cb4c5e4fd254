"""Page-view audit rows in batches (audit/page_views.py), with batching on as in production."""

import logging
import runpy
import time
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from audit import page_views
from audit.models import AuditLog

pytestmark = pytest.mark.django_db

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def _metric(name):
    return REGISTRY.get_sample_value(name) or 0.0


@pytest.fixture
def batching(settings):
    """Batching on; the thread's interval long enough that the test decides when rows are written."""
    settings.AUDIT_PAGE_VIEW_FLUSH_SECONDS = 3600
    settings.AUDIT_PAGE_VIEW_BATCH = 200
    page_views.flush()  # nothing left over from another test
    yield settings
    page_views.flush()


def test_the_row_is_logged_at_once_and_written_with_the_batch_with_the_requests_fields(
    alice_client, alice, batching, caplog
):
    with caplog.at_level(logging.INFO, logger="audit"):
        response = alice_client.get("/", HTTP_X_REQUEST_ID="req-batch-000001", REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    # The log line went out during the request; the table gets the row with the next batch.
    line = [r for r in caplog.records if r.getMessage() == "audit"][-1]
    assert line.audit_action == "GET /" and line.username == "alice"
    assert AuditLog.objects.count() == 0 and page_views.pending() == 1
    requested_at = time.time()

    assert page_views.flush() == 1
    entry = AuditLog.objects.get()
    assert (entry.action, entry.user_id, entry.branch_code) == ("GET /", alice.pk, "AAA01")
    assert (entry.request_id, entry.ip, entry.status_code) == ("req-batch-000001", "192.0.2.7", 200)
    assert entry.timestamp.timestamp() <= requested_at  # the request's time, not the write's
    assert page_views.pending() == 0


def test_a_request_writes_the_batch_itself_once_it_is_full(alice_client, batching):
    batching.AUDIT_PAGE_VIEW_BATCH = 3
    for path in ("/", "/packages/"):
        alice_client.get(path)
    assert AuditLog.objects.count() == 0
    alice_client.get("/inquiries/")
    assert page_views.pending() == 0
    actions = list(AuditLog.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["GET /", "GET /packages/", "GET /inquiries/"]


def test_a_row_the_database_refuses_is_dropped_alone_logged_and_counted(alice, batching, caplog):
    failures = _metric("audit_write_failures_total")
    page_views.record(action="GET /a", actor=alice, status_code=200)
    page_views.record(action="GET /b", actor=alice, status_code=-1)  # breaks the table's CHECK
    page_views.record(action="GET /c", actor=alice, status_code=200)
    with caplog.at_level(logging.ERROR, logger="audit"):
        assert page_views.flush() == 2
    assert sorted(AuditLog.objects.values_list("action", flat=True)) == ["GET /a", "GET /c"]
    assert _metric("audit_write_failures_total") == failures + 1
    refused = [r for r in caplog.records if r.getMessage() == "audit page view refused by the database"]
    assert [r.audit_action for r in refused] == ["GET /b"]


@pytest.mark.postgres
def test_rows_wait_while_the_database_fails_and_are_written_after(alice_client, batching, caplog):
    from tests.audit.conftest import audit_inserts_fail

    alice_client.get("/")
    with audit_inserts_fail(), caplog.at_level(logging.WARNING, logger="audit"):
        alice_client.get("/packages/")
        assert page_views.flush() == 0  # PostgreSQL raised (our trigger): nothing written, nothing lost
        assert page_views.pending() == 2
        assert "audit page views not written yet; retrying" in caplog.text
    alice_client.get("/inquiries/")
    assert page_views.flush() == 3
    actions = list(AuditLog.objects.order_by("timestamp").values_list("action", flat=True))
    assert actions == ["GET /", "GET /packages/", "GET /inquiries/"]


@pytest.mark.postgres
def test_while_the_database_is_away_the_oldest_rows_beyond_the_limit_are_dropped(alice, batching, caplog):
    from tests.audit.conftest import audit_inserts_fail

    batching.AUDIT_PAGE_VIEW_BATCH = 2  # keeps MAX_PENDING_BATCHES * 2 rows
    limit = page_views.MAX_PENDING_BATCHES * 2
    failures = _metric("audit_write_failures_total")
    for n in range(limit + 1):
        page_views._pending.append(page_views.build_entry(action=f"GET /{n}", actor=alice))
    with audit_inserts_fail(), caplog.at_level(logging.ERROR, logger="audit"):
        page_views.flush()
    assert page_views.pending() == limit
    assert _metric("audit_write_failures_total") == failures + 1
    dropped = [r for r in caplog.records if r.getMessage().startswith("audit page view dropped")]
    assert [r.audit_action for r in dropped] == ["GET /0"]


@pytest.mark.django_db(transaction=True)
def test_the_thread_writes_pending_rows_within_the_interval(client, alice, settings):
    settings.AUDIT_PAGE_VIEW_FLUSH_SECONDS = 0.2
    settings.AUDIT_PAGE_VIEW_BATCH = 200
    page_views.flush()
    client.force_login(alice)
    client.get("/")
    deadline = time.monotonic() + 10
    while not AuditLog.objects.filter(action="GET /").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert AuditLog.objects.filter(action="GET /").count() == 1
    assert page_views.pending() == 0


def test_a_stopping_gunicorn_worker_writes_what_it_holds(alice_client, batching, monkeypatch):
    alice_client.get("/")
    # The config module sets PROMETHEUS_MULTIPROC_DIR when missing: keep this process's env as is.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/tmp/unused-by-this-test")  # noqa: S108
    conf = runpy.run_path(str(GUNICORN_CONF))
    conf["worker_exit"](None, None)
    assert AuditLog.objects.filter(action="GET /").count() == 1 and page_views.pending() == 0


def test_with_batching_off_the_row_is_written_during_the_request(alice_client):
    alice_client.get("/")  # the test settings: AUDIT_PAGE_VIEW_FLUSH_SECONDS = 0
    assert AuditLog.objects.filter(action="GET /").count() == 1 and page_views.pending() == 0
