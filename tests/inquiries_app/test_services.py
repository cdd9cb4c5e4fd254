"""Creating inquiries (package by tracking number, scoped), assigning, notes, scoping and the audit trail."""

import pytest

from audit.models import AuditLog
from inquiries_app import services
from inquiries_app.models import InquiryNote
from tests.factories import UserFactory
from tests.inquiries_app.conftest import make_inquiry

pytestmark = pytest.mark.django_db


def test_create_links_the_package_and_audits_without_personal_data(alice, package_a):
    inquiry = make_inquiry(actor=alice, tracking_number=f" {package_a.tracking_number.lower()} ")
    assert inquiry.package == package_a and inquiry.branch == alice.branch and inquiry.status == "OPEN"
    assert inquiry.reference == f"INQ-{inquiry.created_at.year}-{inquiry.pk:06d}"
    row = AuditLog.objects.get(action="inquiry.create")
    assert row.object_id == inquiry.reference and row.changes["package"] == package_a.tracking_number
    assert "Casey" not in str(row.changes) and "555" not in str(row.changes)


def test_an_incoming_package_may_be_named(alice, package_b):
    assert make_inquiry(actor=alice, tracking_number=package_b.tracking_number).package == package_b


def test_a_wrong_check_digit_is_refused_with_the_s10_message(alice, package_a):
    number = package_a.tracking_number
    wrong = number[:10] + str((int(number[10]) + 1) % 10) + number[11:]
    with pytest.raises(services.InquiryError, match="wrong check digit") as exc:
        make_inquiry(actor=alice, tracking_number=wrong)
    assert exc.value.field == "tracking_number"


def test_an_unknown_tracking_number_is_refused(alice):
    with pytest.raises(services.InquiryError, match="not a package your branch knows"):
        make_inquiry(actor=alice, tracking_number="RB123456785US")


def test_another_branchs_package_is_as_unknown_as_a_missing_one(alice, package_elsewhere):
    with pytest.raises(services.InquiryError, match="not a package your branch knows"):
        make_inquiry(actor=alice, tracking_number=package_elsewhere.tracking_number)


def test_a_contact_is_required(alice):
    with pytest.raises(services.InquiryError, match="phone number or an email"):
        make_inquiry(actor=alice, customer_phone="", customer_email="")


def test_auditors_cannot_open_inquiries(auditor):
    with pytest.raises(services.InquiryError, match="Only clerks and supervisors"):
        make_inquiry(actor=auditor)


def test_take_and_reassign_within_the_branch(alice, bob, inquiry):
    inquiry = services.inquiry_assign(inquiry=inquiry, assignee=alice, actor=alice)
    inquiry = services.inquiry_assign(inquiry=inquiry, assignee=bob, actor=alice)
    assert inquiry.assignee == bob and inquiry.status == "IN_PROGRESS"
    row = AuditLog.objects.filter(action="inquiry.assign").latest("id")
    assert row.changes["assignee"] == {"from": "alice", "to": "bob"}


def test_assigning_to_staff_of_another_branch_is_refused(alice, charlie, inquiry):
    with pytest.raises(services.InquiryError, match="not an active clerk or supervisor of AAA01"):
        services.inquiry_assign(inquiry=inquiry, assignee=charlie, actor=alice)


def test_assigning_to_an_auditor_is_refused(alice, branch_a, inquiry):
    auditor = UserFactory(username="ada", branch=branch_a, role="AUDITOR")
    with pytest.raises(services.InquiryError, match="not an active clerk"):
        services.inquiry_assign(inquiry=inquiry, assignee=auditor, actor=alice)


def test_another_branch_cannot_act_on_the_inquiry(charlie, inquiry):
    with pytest.raises(services.InquiryError, match="another branch"):
        services.inquiry_assign(inquiry=inquiry, assignee=charlie, actor=charlie)
    with pytest.raises(services.InquiryError, match="another branch"):
        services.inquiry_add_note(inquiry=inquiry, actor=charlie, body="peek")
    assert not InquiryNote.objects.exists()


def test_notes_are_internal_or_shared_and_audited_without_their_text(alice, inquiry):
    services.inquiry_add_note(inquiry=inquiry, actor=alice, body="Checked the hub: it is there.")
    services.inquiry_add_note(inquiry=inquiry, actor=alice, body="Told the customer Tuesday.", shared=True)
    assert [n.visibility for n in inquiry.notes.all()] == ["INTERNAL", "CUSTOMER"]
    rows = AuditLog.objects.filter(action="inquiry.note")
    assert rows.count() == 2 and all("Tuesday" not in str(r.changes) for r in rows)


def test_an_empty_note_is_refused(alice, inquiry):
    with pytest.raises(services.InquiryError, match="Write the note"):
        services.inquiry_add_note(inquiry=inquiry, actor=alice, body="   ")
