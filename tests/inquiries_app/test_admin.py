"""Admin: inquiries are searchable (reference, tracking number, customer) and filterable, read-only;
SLA hours per priority are editable and apply to the next inquiry."""

from datetime import timedelta

import pytest
from django.urls import reverse

from inquiries_app.models import SlaPolicy
from tests.factories import UserFactory
from tests.inquiries_app.conftest import make_inquiry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(username="root", branch=None, is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_admin_finds_an_inquiry_by_reference_tracking_number_and_customer(admin_client, alice, package_a):
    target = make_inquiry(actor=alice, customer_name="Zed Zulu", tracking_number=package_a.tracking_number)
    other = make_inquiry(actor=alice, customer_name="Yan Yankee")
    changelist = reverse("admin:inquiries_app_customerinquiry_changelist")
    for term in (target.reference, package_a.tracking_number, "zulu"):
        body = admin_client.get(changelist, {"q": term}).content.decode()
        assert target.reference in body and other.reference not in body, term


def test_admin_filters_overdue(admin_client, alice):
    from inquiries_app.models import CustomerInquiry

    late = make_inquiry(actor=alice)
    fine = make_inquiry(actor=alice)
    CustomerInquiry.objects.filter(pk=late.pk).update(due_at=late.created_at)
    body = admin_client.get(
        reverse("admin:inquiries_app_customerinquiry_changelist"), {"sla": "overdue"}
    ).content
    assert late.reference in body.decode() and fine.reference not in body.decode()


def test_admin_cannot_add_or_edit_inquiries(admin_client, alice):
    inquiry = make_inquiry(actor=alice)
    assert admin_client.get(reverse("admin:inquiries_app_customerinquiry_add")).status_code == 403
    change = reverse("admin:inquiries_app_customerinquiry_change", args=[inquiry.pk])
    assert admin_client.post(change, {"status": "CLOSED"}).status_code == 403


def test_admin_edits_sla_hours_and_new_inquiries_follow(admin_client, alice):
    policy = SlaPolicy.objects.get(priority="HIGH")
    response = admin_client.post(
        reverse("admin:inquiries_app_slapolicy_change", args=[policy.pk]), {"hours": "12"}
    )
    assert response.status_code == 302
    inquiry = make_inquiry(actor=alice, priority="HIGH")
    assert inquiry.due_at - inquiry.created_at == timedelta(hours=12)


def test_admin_refuses_zero_hours(admin_client):
    policy = SlaPolicy.objects.get(priority="LOW")
    response = admin_client.post(
        reverse("admin:inquiries_app_slapolicy_change", args=[policy.pk]), {"hours": "0"}
    )
    assert response.status_code == 200 and "errornote" in response.content.decode()
    policy.refresh_from_db()
    assert policy.hours == 72
