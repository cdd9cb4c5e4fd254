"""PostgreSQL only: the hot queries that the other EXPLAIN tests do not already check use their indexes.

Already checked elsewhere (see tests/README.md): the package list in its three directions and by
status, search by tracking number, phone and name, the waiting count, a package's timeline
(tests/packages_app/test_postgres.py); the unassigned queue (tests/inquiries_app/test_queues.py);
the audit list (tests/audit/test_views.py); the outbox claim (tests/outbox/test_workers_postgres.py).
Here: the dashboards' counts, the other inquiry queues, a package's inquiries, an inquiry's notes,
a manifest page's items.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from branch_courier.accounts.models import Branch, User
from inquiries_app import selectors as inquiry_selectors
from inquiries_app.models import CustomerInquiry, InquiryNote
from packages_app import selectors as package_selectors
from packages_app.demo import seed_packages
from packages_app.models import Package
from tests.factories import BranchFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

INQUIRIES = 12_000
EXTRA_BRANCHES = 27


def _plan(queryset_or_sql, params=None) -> str:
    if params is None:
        sql, params = queryset_or_sql.query.sql_with_params()
    else:
        sql = queryset_or_sql
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _seed_inquiries(branches, clerks, packages):
    """Many inquiries across the branches: most closed, some open, some in progress and overdue."""
    now = timezone.now()
    any_clerk = next(iter(clerks.values()))
    rows = []
    for n in range(INQUIRIES):
        branch = branches[n % len(branches)]
        status = ("OPEN", "IN_PROGRESS", "CLOSED", "CLOSED", "CLOSED", "CLOSED", "CLOSED")[n % 7]
        closed = status == "CLOSED"
        created = now - timedelta(minutes=7 * n)
        rows.append(
            CustomerInquiry(
                branch=branch,
                package_id=packages[n % len(packages)],
                customer_name=f"Customer {n}",
                customer_phone="+1 617 555 0000",
                category="DELAY",
                description="Where is it?",
                status=status,
                assignee_id=None if status == "OPEN" else clerks.get(branch.pk, any_clerk),
                created_at=created,
                updated_at=created,
                status_changed_at=created,
                due_at=created + timedelta(hours=48),
                resolved_at=created + timedelta(hours=5) if closed else None,
                resolution_code="ANSWERED" if closed else "",
                resolution_summary="Told them." if closed else "",
                closed_at=created + timedelta(days=1) if closed else None,
            )
        )
    CustomerInquiry.objects.bulk_create(rows, batch_size=4000)
    notes = [
        InquiryNote(inquiry_id=pk, body="Called.", visibility="INTERNAL", created_at=now)
        for pk in CustomerInquiry.objects.values_list("pk", flat=True)[: INQUIRIES // 2]
    ]
    InquiryNote.objects.bulk_create(notes, batch_size=4000)


@pytest.fixture
def seeded():
    # Autovacuum's ANALYZE cannot see this test's uncommitted rows; running between ours and the
    # EXPLAIN it would leave "empty table" statistics. Off for this transaction only.
    with connection.cursor() as cursor:
        for model in (Package, CustomerInquiry, InquiryNote):
            cursor.execute(f"ALTER TABLE {model._meta.db_table} SET (autovacuum_enabled = false)")
    call_command("seed_demo", "--password", "demo-pass-1234", verbosity=0, packages=0)
    # ~30 branches, so one branch holds a few percent of the rows as in production (~50 branches):
    # with three branches a third of the table is the branch and a Seq Scan is the right plan.
    for n in range(EXTRA_BRANCHES):
        BranchFactory(code=f"XTR{n:02d}", name=f"Extra {n}")
    seed_packages(count=9_000, seed=5)
    branches = list(Branch.objects.filter(is_active=True).order_by("code"))
    clerks = dict(
        User.objects.filter(role=User.Role.CLERK, branch__in=branches)
        .order_by("branch_id", "id")
        .values_list("branch_id", "id")
    )
    packages = list(Package.objects.values_list("pk", flat=True)[:3000])
    _seed_inquiries(branches, clerks, packages)
    with connection.cursor() as cursor:
        for table in ("packages", CustomerInquiry._meta.db_table, InquiryNote._meta.db_table):
            cursor.execute(f"ANALYZE {table}")
    return User.objects.get(username="clerk.nyc01")


def _check(checks):
    missing = {label: plan for label, names, plan in checks if not any(n in plan for n in names)}
    scans = {label: plan for label, _, plan in checks if "Seq Scan" in plan}
    assert not scans, "\n\n".join(f"{label} reads the whole table:\n{plan}" for label, plan in scans.items())
    assert not missing, "\n\n".join(f"{label} misses its index:\n{plan}" for label, plan in missing.items())


def test_dashboard_counts_use_their_indexes(seeded):
    clerk = seeded
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    by_status = (
        Package.objects.filter(branch_id=clerk.branch_id, status__in=package_selectors.OPEN)
        .values("status")
        .order_by()
    )
    intake_today = Package.objects.filter(origin_branch_id=clerk.branch_id, created_at__gte=today)
    # The dashboard's inquiry box runs one aggregate on PostgreSQL; EXPLAIN the very SQL it sent.
    with CaptureQueriesContext(connection) as captured:
        inquiry_selectors.branch_stats(clerk)
    (stats_sql,) = [q["sql"] for q in captured.captured_queries if "customer_inquiries" in q["sql"]]
    _check(
        [
            # Led by the branch: one of the (branch, status, …) indexes, or (branch, created_at)
            # with the status as a filter, the planner's choice on a freshly created database (seen
            # running tests/perf with tests/inquiries_app on --create-db); the branch's rows only.
            ("packages by status", ("pkg_branch_status", "pkg_branch_created"), _plan(by_status)),
            ("packages taken in today", ("pkg_origin_created",), _plan(intake_today)),
            (
                "inquiry stats (branch_stats' filter)",
                ("inq_branch", "customer_inquiries_branch_id"),  # any index led by branch_id
                _plan(stats_sql, []),
            ),
        ]
    )


def test_inquiry_queues_use_their_indexes(seeded):
    clerk = seeded
    inquiry = CustomerInquiry.objects.filter(branch_id=clerk.branch_id).exclude(package=None).first()
    # A long thread (400 notes), read through the one index led by inquiry_id: in its order, or as
    # a bitmap of its pages and sorted (the planner's choice on a freshly loaded table); either way
    # this inquiry's notes only, which keeps the page flat at any table size.
    now = timezone.now()
    InquiryNote.objects.bulk_create(
        InquiryNote(
            inquiry=inquiry, body="Called.", visibility="INTERNAL", created_at=now + timedelta(minutes=n)
        )
        for n in range(400)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {InquiryNote._meta.db_table}")
    notes_plan = _plan(InquiryNote.objects.filter(inquiry=inquiry).order_by("created_at", "id")[:200])
    _check(
        [
            # One clerk per branch here, so the branch index is as selective as the assignee one.
            (
                "mine",
                ("inq_assignee_status_due", "inq_branch_status_due", "inq_branch_active_due"),
                _plan(inquiry_selectors.queue(clerk, name="mine")[:50]),
            ),
            (
                "overdue",
                ("inq_branch_status_due", "inq_branch_active_due"),
                _plan(inquiry_selectors.queue(clerk, name="overdue")[:50]),
            ),
            # Walked in due order through the partial index: no sort of every active inquiry.
            ("open", ("inq_branch_active_due",), _plan(inquiry_selectors.queue(clerk, name="open")[:50])),
            ("all", ("inq_branch_created",), _plan(inquiry_selectors.queue(clerk, name="all")[:50])),
            (
                "a package's inquiries",
                ("package_id",),
                _plan(
                    inquiry_selectors.inquiries_for_user(clerk)
                    .filter(package_id=inquiry.package_id)
                    .order_by("-created_at", "-id")[:20]
                ),
            ),
            (
                "an inquiry's notes",
                ("inqnote_inquiry_order",),
                notes_plan,
            ),
        ]
    )


def test_a_manifest_page_reads_its_items_in_order_without_sorting_them_all(seeded, client):
    from packages_app import manifest_services
    from packages_app.transit_models import ManifestItem

    clerk = seeded
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {ManifestItem._meta.db_table} SET (autovacuum_enabled = false)")
    destination = Branch.objects.exclude(pk=clerk.branch_id).order_by("code")[0]
    manifest = manifest_services.manifest_open(actor=clerk, destination_branch=destination)
    now = timezone.now()
    ManifestItem.objects.bulk_create(
        ManifestItem(
            manifest=manifest,
            package_id=pk,
            in_open_manifest=False,
            added_by=clerk,
            added_at=now + timedelta(seconds=n),
        )
        for n, pk in enumerate(Package.objects.order_by("id").values_list("pk", flat=True)[:2000])
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {ManifestItem._meta.db_table}")
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/manifests/{manifest.pk}/").status_code == 200
    (items_sql,) = [q["sql"] for q in captured.captured_queries if 'FROM "manifest_items" INNER' in q["sql"]]
    plan = _plan(items_sql, [])
    _check([("a manifest's items, first page", ("manifest_item_order",), plan)])
    assert "Sort" not in plan, plan
