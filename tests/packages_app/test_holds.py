"""expire_holds: uncollected packages go back to their sender; dry run; safe to run twice."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from packages_app.lifecycle import Status
from packages_app.models import Package
from tests.factories import PackageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(branch_a, branch_b):
    today = timezone.localdate()
    expired = PackageFactory(
        origin_branch=branch_a,
        destination_branch=branch_b,
        branch=branch_b,
        status=Status.READY_FOR_PICKUP,
        hold_until=today - timedelta(days=1),
    )
    fresh = PackageFactory(
        origin_branch=branch_a,
        destination_branch=branch_b,
        branch=branch_b,
        status=Status.READY_FOR_PICKUP,
        hold_until=today,
    )
    held = PackageFactory(
        origin_branch=branch_a,
        destination_branch=branch_b,
        branch=branch_b,
        status=Status.ON_HOLD,
        status_before_hold=Status.READY_FOR_PICKUP,
        hold_until=today - timedelta(days=5),
    )
    return expired, fresh, held


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command("expire_holds", *args, stdout=out)
    return out.getvalue()


def test_dry_run_counts_and_changes_nothing(shelf):
    assert "1 expired hold(s) would go back" in _run("--dry-run")
    assert Package.objects.get(pk=shelf[0].pk).status == Status.READY_FOR_PICKUP


def test_it_sends_only_expired_pickups_back_and_is_safe_to_run_twice(shelf):
    expired, fresh, held = shelf
    assert "1 package(s) sent back to sender" in _run()
    expired.refresh_from_db()
    assert expired.status == Status.RETURN_TO_SENDER and expired.is_return and expired.hold_until is None
    event = expired.events.latest("id")
    assert event.reason_code == "HOLD_EXPIRED" and event.actor is None
    assert Package.objects.get(pk=fresh.pk).status == Status.READY_FOR_PICKUP
    assert Package.objects.get(pk=held.pk).status == Status.ON_HOLD
    assert "0 package(s) sent back" in _run()
    assert expired.events.filter(status=Status.RETURN_TO_SENDER).count() == 1


def test_hold_reasons_are_the_six_codes_and_release_returns_to_the_state_left(alice, package_a):
    from packages_app.models import HOLD_REASONS
    from packages_app.services import package_hold, package_release

    assert [r.value for r in HOLD_REASONS] == [
        "DAMAGED",
        "ADDRESS_ISSUE",
        "AWAITING_PAYMENT",
        "REFUSED",
        "CUSTOMS",
        "OTHER",
    ]
    held = package_hold(package=package_a, actor=alice, reason_code="DAMAGED")
    assert package_release(package=held, actor=alice).status == Status.RECEIVED
