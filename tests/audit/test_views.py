"""The auditor's view: read-only, filtered, paginated, exported; closed to clerks and supervisors."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone

from audit.models import AuditLog
from audit.views import PAGE_SIZE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _row(**fields) -> AuditLog:
    defaults = {"action": "GET /", "username": "alice", "branch_code": "AAA01", "timestamp": timezone.now()}
    return AuditLog.objects.create(**{**defaults, **fields})


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", branch=None, is_staff=True, is_superuser=True, role="SUPERVISOR")


def test_an_auditor_reads_the_trail(auditor_client):
    _row(
        action="package.transition",
        object_type="packages_app.package",
        object_id="RB123456785GB",
        changes={"status": {"from": "RECEIVED", "to": "IN_TRANSIT"}},
    )
    response = auditor_client.get("/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "package.transition" in body and "RB123456785GB" in body
    assert "RECEIVED → IN_TRANSIT" in body
    assert 'href="/audit/"' in body  # the nav link


@pytest.mark.parametrize("fixture", ["alice", "bob"])
def test_clerks_and_supervisors_cannot_reach_the_audit_view(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
    assert 'href="/audit/"' not in client.get("/").content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_view_is_read_only(auditor_client):
    assert auditor_client.post("/audit/").status_code == 405
    assert auditor_client.post("/audit/export.csv").status_code == 405


def test_a_branch_auditor_sees_only_their_branch(client, branch_a):
    client.force_login(UserFactory(username="aud-a", branch=branch_a, role="AUDITOR"))
    _row(action="mine")
    _row(action="theirs", branch_code="BBB01")
    body = client.get("/audit/").content.decode()
    assert "mine" in body and "theirs" not in body
    assert "theirs" not in client.get("/audit/?branch=BBB01").content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("user=bob", {"bob-row"}),
        ("branch=bbb01", {"b-row"}),
        ("action=package.", {"pkg-row", "old-row"}),
        ("object_type=packages_app.package&object_id=RB1", {"pkg-row"}),
        ("q=203.0.113.7", {"ip-row"}),
        ("q=req-find-me-0001", {"req-row"}),
        ("since=2026-01-01T00:00&until=2026-02-01T00:00", {"old-row"}),
    ],
)
def test_filters(auditor_client, query, expected):
    _row(action="bob-row", username="bob")
    _row(action="b-row", branch_code="BBB01")
    _row(action="package.pkg-row", object_type="packages_app.package", object_id="RB1")
    _row(action="package.old-row", timestamp=datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC))
    _row(action="ip-row", ip="203.0.113.7")
    _row(action="req-row", request_id="req-find-me-0001")
    response = auditor_client.get(f"/audit/?{query}")
    assert response.status_code == 200
    shown = {e.action.removeprefix("package.") for e in response.context["entries"]}
    assert shown == expected


def test_bad_filters_get_a_clear_field_error(auditor_client):
    response = auditor_client.get("/audit/?since=2026-02-01T00:00&until=2026-01-01T00:00")
    assert response.status_code == 400
    assert "Must be later than" in response.content.decode()
    response = auditor_client.get("/audit/?since=yesterday")
    assert response.status_code == 400 and "Enter a valid date/time" in response.content.decode()


def test_pages_are_bounded_whatever_the_size(auditor_client, django_assert_max_num_queries):
    AuditLog.objects.bulk_create(
        [
            AuditLog(action=f"row-{n}", username="alice", timestamp=timezone.now())
            for n in range(PAGE_SIZE * 3)
        ]
    )
    # user, rows, and the audit insert (with savepoints): the same for 150 rows or 150 million.
    with django_assert_max_num_queries(8):
        response = auditor_client.get("/audit/?action=row-&page=2")
    assert len(response.context["entries"]) == PAGE_SIZE
    assert response.context["has_next"] and response.context["has_previous"]
    # Each visit writes its own audit row; the filter keeps those out of the count.
    last = auditor_client.get("/audit/?action=row-&page=3")
    assert len(last.context["entries"]) == PAGE_SIZE and not last.context["has_next"]


def test_the_csv_export_streams_the_filtered_range(auditor_client, auditor):
    _row(action="package.transition", username="alice", changes={"status": {"from": "A", "to": "B"}})
    _row(action="auth.login_failed", username="=HYPERLINK(evil)")
    _row(action="other", branch_code="BBB01")
    response = auditor_client.get("/audit/export.csv?branch=AAA01")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r["action"] for r in rows} == {"package.transition", "auth.login_failed"}
    assert {r["username"] for r in rows} == {"alice", "'=HYPERLINK(evil)"}  # no formula in a spreadsheet
    assert all(r["timestamp_utc"].endswith("+00:00") for r in rows)
    # Who exported what is itself recorded.
    export = AuditLog.objects.get(action="audit.export")
    assert export.username == "audrey" and export.changes == {"branch": "AAA01"}


def test_admin_shows_the_trail_but_cannot_change_it(client, admin_user):
    entry = _row()
    client.force_login(admin_user)
    assert client.get("/admin/audit/auditlog/").status_code == 200
    assert client.get("/admin/audit/auditlog/add/").status_code == 403
    detail = client.get(f"/admin/audit/auditlog/{entry.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.post(f"/admin/audit/auditlog/{entry.pk}/change/", {"action": "edited"}).status_code == 403
    assert client.post(f"/admin/audit/auditlog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditLog.objects.get(pk=entry.pk).action == "GET /"


def test_admin_is_closed_to_staff_clerks(client, branch_a):
    clerk = UserFactory(username="staffclerk", branch=branch_a, role="CLERK", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename="view_auditlog"))
    client.force_login(clerk)
    assert client.get("/admin/audit/auditlog/").status_code == 403


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("where", "index"),
    [
        ("branch_code = 'AAA01' AND timestamp >= now() - interval '7 days'", "audit_branch_ts_idx"),
        ("user_id = 5 AND timestamp >= now() - interval '7 days'", "audit_user_ts_idx"),
        ("ip = '203.0.113.7'", "audit_ip_ts_idx"),
        ("request_id = 'abc'", "audit_request_idx"),
        ("timestamp >= now() - interval '1 day'", "audit_ts_idx"),
    ],
)
def test_the_auditor_queries_use_their_index(where, index):
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                action="x",
                branch_code=f"B{n % 50:03d}",
                user_id=n % 97,
                timestamp=timezone.now() - datetime.timedelta(minutes=n),
            )
            for n in range(3000)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditlog")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT * FROM audit_auditlog WHERE {where} ORDER BY timestamp DESC, id DESC LIMIT 51"
        )
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert index in plan, plan
