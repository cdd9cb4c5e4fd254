"""The one transition table: allowed moves succeed through the services, others are refused clearly."""

from datetime import timedelta

import pytest

from audit.models import AuditLog
from inquiries_app import lifecycle, services
from inquiries_app.lifecycle import Status, TransitionError
from inquiries_app.models import CustomerInquiry

pytestmark = pytest.mark.django_db

ALLOWED = [
    ("OPEN", "IN_PROGRESS", "inquiry_assign"),
    ("IN_PROGRESS", "WAITING_ON_CUSTOMER", "inquiry_change_status"),
    ("WAITING_ON_CUSTOMER", "IN_PROGRESS", "inquiry_change_status"),
    ("IN_PROGRESS", "RESOLVED", "inquiry_resolve"),
    ("WAITING_ON_CUSTOMER", "RESOLVED", "inquiry_resolve"),
    ("RESOLVED", "CLOSED", "inquiry_change_status"),
    ("RESOLVED", "IN_PROGRESS", "inquiry_reopen"),
]


@pytest.mark.parametrize(("source", "target", "service"), ALLOWED)
def test_the_table_allows_the_documented_moves(source, target, service):
    assert lifecycle.check(source=source, target=target, role="CLERK", service=service).target == target


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("OPEN", "RESOLVED"),
        ("OPEN", "WAITING_ON_CUSTOMER"),
        ("OPEN", "CLOSED"),
        ("IN_PROGRESS", "CLOSED"),
        ("IN_PROGRESS", "OPEN"),
        ("CLOSED", "IN_PROGRESS"),
        ("CLOSED", "RESOLVED"),
        ("WAITING_ON_CUSTOMER", "CLOSED"),
    ],
)
def test_the_table_refuses_other_moves(source, target):
    with pytest.raises(TransitionError, match="cannot become"):
        lifecycle.check(source=source, target=target, role="SUPERVISOR")


def test_resolving_needs_the_resolve_service_with_its_code_and_summary():
    with pytest.raises(TransitionError, match="Resolve"):
        lifecycle.check(source="IN_PROGRESS", target="RESOLVED", role="CLERK")


def test_auditors_cannot_move_inquiries():
    with pytest.raises(TransitionError, match="Only clerks or supervisors"):
        lifecycle.check(source="IN_PROGRESS", target="WAITING_ON_CUSTOMER", role="AUDITOR")


def test_full_lifecycle_through_the_services_writes_an_audit_row_per_step(alice, bob, inquiry):
    inquiry = services.inquiry_assign(inquiry=inquiry, assignee=alice, actor=alice)
    assert inquiry.status == Status.IN_PROGRESS and inquiry.assignee == alice
    inquiry = services.inquiry_change_status(
        inquiry=inquiry, to_status=Status.WAITING_ON_CUSTOMER, actor=alice
    )
    assert inquiry.paused_at is not None
    inquiry = services.inquiry_change_status(inquiry=inquiry, to_status=Status.IN_PROGRESS, actor=alice)
    assert inquiry.paused_at is None
    inquiry = services.inquiry_resolve(
        inquiry=inquiry, actor=alice, resolution_code="ANSWERED", summary="Parcel is at the hub."
    )
    assert inquiry.status == Status.RESOLVED and inquiry.resolved_at is not None
    inquiry = services.inquiry_change_status(inquiry=inquiry, to_status=Status.CLOSED, actor=bob)
    assert inquiry.status == Status.CLOSED and inquiry.closed_at is not None
    actions = list(
        AuditLog.objects.filter(object_id=inquiry.reference).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "inquiry.create",
        "inquiry.assign",
        "inquiry.waiting_on_customer",
        "inquiry.in_progress",
        "inquiry.resolve",
        "inquiry.closed",
    ]


def test_a_forbidden_move_changes_nothing(alice, inquiry):
    with pytest.raises(TransitionError):
        services.inquiry_change_status(inquiry=inquiry, to_status=Status.CLOSED, actor=alice)
    inquiry.refresh_from_db()
    assert inquiry.status == Status.OPEN
    assert not AuditLog.objects.filter(action="inquiry.closed").exists()


def test_resolve_without_a_code_or_summary_is_refused(alice, inquiry):
    inquiry = services.inquiry_assign(inquiry=inquiry, assignee=alice, actor=alice)
    with pytest.raises(services.InquiryError, match="resolution code") as no_code:
        services.inquiry_resolve(inquiry=inquiry, actor=alice, resolution_code="", summary="Done")
    assert no_code.value.field == "resolution_code"
    with pytest.raises(services.InquiryError, match="summary") as no_summary:
        services.inquiry_resolve(inquiry=inquiry, actor=alice, resolution_code="ANSWERED", summary="  ")
    assert no_summary.value.field == "summary"
    inquiry.refresh_from_db()
    assert inquiry.status == Status.IN_PROGRESS


def test_the_database_refuses_a_resolved_row_without_resolution(alice, inquiry):
    from django.db import IntegrityError, transaction

    services.inquiry_assign(inquiry=inquiry, assignee=alice, actor=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerInquiry.objects.filter(pk=inquiry.pk).update(status=Status.RESOLVED)


def _resolved(alice, inquiry):
    inquiry = services.inquiry_assign(inquiry=inquiry, assignee=alice, actor=alice)
    return services.inquiry_resolve(
        inquiry=inquiry, actor=alice, resolution_code="ANSWERED", summary="Told them"
    )


def test_reopen_within_14_days_returns_to_in_progress_with_a_fresh_sla(alice, inquiry):
    inquiry = _resolved(alice, inquiry)
    CustomerInquiry.objects.filter(pk=inquiry.pk).update(resolved_at=inquiry.resolved_at - timedelta(days=13))
    inquiry = services.inquiry_reopen(inquiry=inquiry, actor=alice, reason="Customer called again")
    assert inquiry.status == Status.IN_PROGRESS
    assert inquiry.resolved_at is None and inquiry.resolution_code == "" and inquiry.reopened_count == 1
    assert inquiry.due_at > inquiry.status_changed_at + timedelta(hours=47)
    note = inquiry.notes.get()
    assert "Customer called again" in note.body and "Told them" in note.body


def test_reopen_after_14_days_is_refused(alice, inquiry):
    inquiry = _resolved(alice, inquiry)
    CustomerInquiry.objects.filter(pk=inquiry.pk).update(
        resolved_at=inquiry.resolved_at - timedelta(days=14, minutes=1)
    )
    with pytest.raises(TransitionError, match="more than 14 days"):
        services.inquiry_reopen(inquiry=inquiry, actor=alice, reason="Too late")
    inquiry.refresh_from_db()
    assert inquiry.status == Status.RESOLVED


def test_reopen_needs_a_reason(alice, inquiry):
    inquiry = _resolved(alice, inquiry)
    with pytest.raises(services.InquiryError, match="why"):
        services.inquiry_reopen(inquiry=inquiry, actor=alice, reason="")


def test_closed_is_final(alice, bob, inquiry):
    inquiry = _resolved(alice, inquiry)
    inquiry = services.inquiry_change_status(inquiry=inquiry, to_status=Status.CLOSED, actor=bob)
    with pytest.raises(TransitionError):
        services.inquiry_reopen(inquiry=inquiry, actor=bob, reason="Again")
    with pytest.raises(services.InquiryError, match="closed"):
        services.inquiry_add_note(inquiry=inquiry, actor=bob, body="hello")
