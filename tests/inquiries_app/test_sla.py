"""SLA: the due time follows the priority's hours (editable), waiting on the customer pauses the clock."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from inquiries_app import services, sla
from inquiries_app.lifecycle import Status
from inquiries_app.models import CustomerInquiry, SlaPolicy
from tests.inquiries_app.conftest import make_inquiry

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("priority", "hours"), [("LOW", 72), ("NORMAL", 48), ("HIGH", 24), ("URGENT", 4)])
def test_default_hours_per_priority(alice, priority, hours):
    inquiry = make_inquiry(actor=alice, priority=priority)
    assert inquiry.due_at - inquiry.created_at == timedelta(hours=hours)


def test_hours_edited_in_admin_apply_to_new_inquiries(alice):
    SlaPolicy.objects.filter(priority="URGENT").update(hours=2)
    inquiry = make_inquiry(actor=alice, priority="URGENT")
    assert inquiry.due_at - inquiry.created_at == timedelta(hours=2)


def test_a_missing_policy_row_falls_back_to_the_default(alice):
    SlaPolicy.objects.filter(priority="HIGH").delete()
    assert sla.hours_for("HIGH") == 24


def _row(**kw):
    return SimpleNamespace(**{"status": Status.IN_PROGRESS, "paused_at": None, "paused_seconds": 0, **kw})


def test_pause_then_resume_moves_the_due_time_by_the_time_waited():
    row = _row(due_at=T0 + timedelta(hours=48))
    sla.pause(row, now=T0 + timedelta(hours=10))
    waited = sla.resume(row, now=T0 + timedelta(hours=13, minutes=30))
    assert waited == timedelta(hours=3, minutes=30)
    assert row.due_at == T0 + timedelta(hours=51, minutes=30)
    assert row.paused_seconds == 3.5 * 3600 and row.paused_at is None


def test_two_pauses_add_up():
    row = _row(due_at=T0 + timedelta(hours=4))
    sla.pause(row, now=T0 + timedelta(hours=1))
    sla.resume(row, now=T0 + timedelta(hours=2))
    sla.pause(row, now=T0 + timedelta(hours=3))
    sla.resume(row, now=T0 + timedelta(hours=6))
    assert row.due_at == T0 + timedelta(hours=8)
    assert row.paused_seconds == 4 * 3600


def test_waiting_is_never_overdue_and_its_time_left_is_frozen():
    row = _row(
        status=Status.WAITING_ON_CUSTOMER, due_at=T0 + timedelta(hours=4), paused_at=T0 + timedelta(hours=1)
    )
    much_later = T0 + timedelta(days=10)
    assert not sla.is_overdue(row, now=much_later)
    assert sla.time_left(row, now=much_later) == timedelta(hours=3)


def test_overdue_only_while_the_clock_runs():
    due = T0 + timedelta(hours=4)
    late = due + timedelta(minutes=1)
    assert sla.is_overdue(_row(status=Status.OPEN, due_at=due), now=late)
    assert sla.is_overdue(_row(status=Status.IN_PROGRESS, due_at=due), now=late)
    assert not sla.is_overdue(_row(status=Status.IN_PROGRESS, due_at=due), now=due)
    assert not sla.is_overdue(_row(status=Status.RESOLVED, due_at=due), now=late)
    assert sla.time_left(_row(status=Status.IN_PROGRESS, due_at=due), now=late) == timedelta(minutes=-1)


def test_the_services_pause_and_resume_the_clock(alice, inquiry):
    inquiry = services.inquiry_assign(inquiry=inquiry, assignee=alice, actor=alice)
    due_before = inquiry.due_at
    inquiry = services.inquiry_change_status(
        inquiry=inquiry, to_status=Status.WAITING_ON_CUSTOMER, actor=alice
    )
    # The customer took five hours to answer.
    CustomerInquiry.objects.filter(pk=inquiry.pk).update(paused_at=inquiry.paused_at - timedelta(hours=5))
    inquiry = services.inquiry_change_status(inquiry=inquiry, to_status=Status.IN_PROGRESS, actor=alice)
    moved = inquiry.due_at - due_before
    assert timedelta(hours=5) <= moved < timedelta(hours=5, seconds=5)
    assert 5 * 3600 <= inquiry.paused_seconds < 5 * 3600 + 5


def test_resolving_from_waiting_accounts_for_the_pause(alice, inquiry):
    inquiry = services.inquiry_assign(inquiry=inquiry, assignee=alice, actor=alice)
    inquiry = services.inquiry_change_status(
        inquiry=inquiry, to_status=Status.WAITING_ON_CUSTOMER, actor=alice
    )
    CustomerInquiry.objects.filter(pk=inquiry.pk).update(paused_at=inquiry.paused_at - timedelta(hours=2))
    inquiry = services.inquiry_resolve(
        inquiry=inquiry, actor=alice, resolution_code="NO_RESPONSE", summary="No answer in two hours"
    )
    assert inquiry.paused_at is None and inquiry.paused_seconds >= 2 * 3600


def test_an_overdue_inquiry_is_flagged(alice, inquiry):
    CustomerInquiry.objects.filter(pk=inquiry.pk).update(due_at=inquiry.created_at)
    inquiry.refresh_from_db()
    assert inquiry.is_overdue
