"""Scale seeding: deterministic rows for a seed, audit rows beside events, ~50 branches, serials."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import transaction

from audit.models import AuditLog
from branch_courier.accounts.models import Branch, User
from packages_app import s10
from packages_app.demo import ensure_branches, seed_packages
from packages_app.models import Package, PackageEvent

pytestmark = pytest.mark.django_db
ANCHOR = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _snapshot():
    packages = list(Package.objects.order_by("tracking_number").values_list(*_fields(Package)))
    events = list(
        PackageEvent.objects.order_by("package__tracking_number", "at", "status").values_list(
            "package__tracking_number", *_fields(PackageEvent, skip={"id", "package"})
        )
    )
    audits = list(
        AuditLog.objects.filter(object_type="packages_app.package")
        .order_by("object_repr", "timestamp", "action")
        .values_list("object_repr", *_fields(AuditLog, skip={"id", "object_id"}))
    )
    return packages, events, audits


def _fields(model, skip=frozenset({"id"})):
    return [f.name for f in model._meta.concrete_fields if f.name not in skip]


def _seed_and_snapshot(**kwargs):
    with transaction.atomic():
        seed_packages(**kwargs)
        snapshot = _snapshot()
        transaction.set_rollback(True)
    return snapshot


def test_it_gives_identical_rows_for_the_same_seed():
    call_command("seed_demo", "--password", "demo-pass-1234", "--packages", "0", verbosity=0)
    ensure_branches(total=8)
    first = _seed_and_snapshot(count=120, seed=4, anchor=ANCHOR)
    second = _seed_and_snapshot(count=120, seed=4, anchor=ANCHOR)
    other = _seed_and_snapshot(count=120, seed=5, anchor=ANCHOR)
    assert first == second
    assert len(first[0]) == 120 and len(first[1]) > 240 and len(first[2]) == len(first[1])
    assert first[0] != other[0]


def test_it_writes_one_audit_row_per_event_and_moves_the_sequence_past_its_serials():
    call_command("seed_demo", "--password", "demo-pass-1234", "--packages", "0", verbosity=0)
    seed_packages(count=60, seed=2, anchor=ANCHOR)
    assert PackageEvent.objects.count() == AuditLog.objects.filter(object_type="packages_app.package").count()
    assert AuditLog.objects.filter(action="package.intake").count() == 60
    delivered = AuditLog.objects.filter(action="package.delivered").first()
    assert delivered is not None and delivered.username and delivered.changes["status"][1] == "DELIVERED"
    highest = max(int(n[2:10]) for n in Package.objects.values_list("tracking_number", flat=True))
    assert s10.allocate_serials(1)[0] > highest
    # A second run continues after the first one's serials.
    seed_packages(count=10, seed=2, anchor=ANCHOR)
    assert Package.objects.count() == 70


def test_it_tops_the_branches_up_with_staff_who_can_sign_in():
    call_command(
        "seed_demo", "--password", "demo-pass-1234", "--packages", "0", "--branches", "12", verbosity=0
    )
    assert Branch.objects.filter(is_active=True).count() == 12
    clerk = User.objects.get(username="clerk.br012")
    assert clerk.branch.code == "BR012" and clerk.check_password("demo-pass-1234")
    assert ensure_branches(total=12) == 0
