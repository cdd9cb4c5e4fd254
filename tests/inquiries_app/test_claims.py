"""Claims: DAMAGE and LOST only, on a package, capped by its declared value; supervisors decide."""

from decimal import Decimal

import pytest

from audit.models import AuditLog
from inquiries_app import services
from inquiries_app.models import ClaimStatus
from tests.inquiries_app.conftest import make_inquiry

pytestmark = pytest.mark.django_db


def test_a_claim_up_to_the_declared_value_is_pending(claim_inquiry):
    assert claim_inquiry.claim_amount == Decimal("80.00")
    assert claim_inquiry.claim_status == ClaimStatus.PENDING


def test_a_claim_above_the_declared_value_is_refused(alice, package_a):
    with pytest.raises(services.InquiryError, match=r"declared value .*100\.00") as exc:
        make_inquiry(
            actor=alice,
            category="LOST",
            tracking_number=package_a.tracking_number,
            claim_amount=Decimal("100.01"),
        )
    assert exc.value.field == "claim_amount"


def test_exactly_the_declared_value_is_allowed(alice, package_a):
    inquiry = make_inquiry(
        actor=alice,
        category="LOST",
        tracking_number=package_a.tracking_number,
        claim_amount=Decimal("100.00"),
    )
    assert inquiry.claim_amount == Decimal("100.00")


def test_only_damage_and_lost_carry_claims(alice, package_a):
    with pytest.raises(services.InquiryError, match="damaged or lost"):
        make_inquiry(
            actor=alice,
            category="DELAY",
            tracking_number=package_a.tracking_number,
            claim_amount=Decimal("5"),
        )


def test_a_claim_needs_a_package(alice):
    with pytest.raises(services.InquiryError, match="tracking number") as exc:
        make_inquiry(actor=alice, category="DAMAGE", claim_amount=Decimal("5"))
    assert exc.value.field == "tracking_number"


def test_a_claim_can_be_recorded_later_and_changed_before_the_decision(alice, package_a):
    inquiry = make_inquiry(actor=alice, category="DAMAGE", tracking_number=package_a.tracking_number)
    assert inquiry.claim_status == ClaimStatus.NONE
    inquiry = services.inquiry_set_claim(inquiry=inquiry, actor=alice, amount=Decimal("30.00"))
    inquiry = services.inquiry_set_claim(inquiry=inquiry, actor=alice, amount=Decimal("40.00"))
    assert (inquiry.claim_amount, inquiry.claim_status) == (Decimal("40.00"), ClaimStatus.PENDING)
    with pytest.raises(services.InquiryError, match="declared value"):
        services.inquiry_set_claim(inquiry=inquiry, actor=alice, amount=Decimal("150.00"))


def test_a_supervisor_approves_with_a_reason(bob, claim_inquiry):
    inquiry = services.inquiry_claim_decide(
        inquiry=claim_inquiry, actor=bob, approve=True, reason="Photos show crushed box"
    )
    assert inquiry.claim_status == ClaimStatus.APPROVED
    assert inquiry.claim_approved_amount == Decimal("80.00") and inquiry.claim_decided_by == bob
    row = AuditLog.objects.get(action="inquiry.claim_approve")
    assert row.changes["approved_amount"] == "80.00" and row.username == "bob"


def test_a_supervisor_may_approve_part_of_the_claim_but_not_more(bob, claim_inquiry):
    with pytest.raises(services.InquiryError, match="between"):
        services.inquiry_claim_decide(
            inquiry=claim_inquiry, actor=bob, approve=True, reason="ok", approved_amount=Decimal("80.01")
        )
    inquiry = services.inquiry_claim_decide(
        inquiry=claim_inquiry,
        actor=bob,
        approve=True,
        reason="Contents partly intact",
        approved_amount=Decimal("50"),
    )
    assert inquiry.claim_approved_amount == Decimal("50.00")


def test_a_supervisor_rejects_with_a_reason(bob, claim_inquiry):
    inquiry = services.inquiry_claim_decide(
        inquiry=claim_inquiry, actor=bob, approve=False, reason="Not insured"
    )
    assert inquiry.claim_status == ClaimStatus.REJECTED and inquiry.claim_approved_amount is None


def test_a_decision_needs_a_reason(bob, claim_inquiry):
    with pytest.raises(services.InquiryError, match="reason"):
        services.inquiry_claim_decide(inquiry=claim_inquiry, actor=bob, approve=False, reason=" ")


def test_clerks_cannot_decide_claims(alice, claim_inquiry):
    with pytest.raises(services.InquiryError, match="Only supervisors"):
        services.inquiry_claim_decide(inquiry=claim_inquiry, actor=alice, approve=True, reason="mine")
    claim_inquiry.refresh_from_db()
    assert claim_inquiry.claim_status == ClaimStatus.PENDING


def test_a_decided_claim_cannot_be_decided_again_or_changed(alice, bob, claim_inquiry):
    services.inquiry_claim_decide(inquiry=claim_inquiry, actor=bob, approve=False, reason="No")
    with pytest.raises(services.InquiryError, match="no claim waiting"):
        services.inquiry_claim_decide(inquiry=claim_inquiry, actor=bob, approve=True, reason="Yes")
    with pytest.raises(services.InquiryError, match="decided"):
        services.inquiry_set_claim(inquiry=claim_inquiry, actor=alice, amount=Decimal("10"))


def test_a_pending_claim_blocks_resolution(alice, bob, claim_inquiry):
    inquiry = services.inquiry_assign(inquiry=claim_inquiry, assignee=alice, actor=alice)
    with pytest.raises(services.InquiryError, match="approve or reject the claim"):
        services.inquiry_resolve(inquiry=inquiry, actor=alice, resolution_code="CLAIM_PAID", summary="Paid")
    services.inquiry_claim_decide(inquiry=inquiry, actor=bob, approve=True, reason="Damaged in transit")
    inquiry = services.inquiry_resolve(
        inquiry=inquiry, actor=alice, resolution_code="CLAIM_PAID", summary="Paid"
    )
    assert inquiry.status == "RESOLVED"
