"""Every inquiry screen: the owner's branch works, another branch gets 404, wrong method 405,
bad input a clear form error, a POST without CSRF 403; pages run a bounded number of queries."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from inquiries_app import services
from inquiries_app.models import ClaimStatus, CustomerInquiry
from tests.inquiries_app.conftest import make_inquiry

pytestmark = pytest.mark.django_db


def url(name, inquiry=None):
    return reverse(f"inquiries:{name}", args=[inquiry.reference] if inquiry else [])


@pytest.fixture
def bob_client(bob):
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture
def charlie_client(charlie):
    client = Client()
    client.force_login(charlie)
    return client


# --- create ----------------------------------------------------------------------------------


def test_create_form_is_prefilled_from_a_package_page(alice_client, package_a):
    response = alice_client.get(url("create") + f"?tracking={package_a.tracking_number}")
    assert response.status_code == 200
    assert f'value="{package_a.tracking_number}"' in response.content.decode()


def test_create_opens_an_inquiry_and_redirects_to_it(alice_client, package_a):
    response = alice_client.post(
        url("create"),
        {
            "tracking_number": package_a.tracking_number,
            "customer_name": "Casey",
            "customer_phone": "+1 617 555 0111",
            "channel": "COUNTER",
            "category": "DELAY",
            "priority": "HIGH",
            "description": "Late",
        },
    )
    inquiry = CustomerInquiry.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", inquiry)
    assert inquiry.package == package_a and inquiry.priority == "HIGH"


def _create_data(**kw):
    return {
        "customer_name": "Casey",
        "customer_phone": "+1 617 555 0111",
        "channel": "PHONE",
        "category": "DELAY",
        "priority": "NORMAL",
        "description": "Late",
        **kw,
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"tracking_number": "RB123456785US"}, "tracking_number", "not a package your branch knows"),
        ({"tracking_number": "RB123456786US"}, "tracking_number", "wrong check digit"),
        ({"tracking_number": "hello"}, "tracking_number", "is not a tracking number"),
        ({"customer_phone": ""}, "customer_phone", "phone number or an email"),
        ({"customer_phone": "call me"}, "customer_phone", "Enter a phone number"),
        ({"category": "DELAY", "claim_amount": "10"}, "claim_amount", "damaged or lost"),
    ],
)
def test_create_shows_bad_input_next_to_the_field(alice_client, data, field, message):
    response = alice_client.post(url("create"), _create_data(**data))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert message in response.content.decode()
    assert not CustomerInquiry.objects.exists()


def test_create_refuses_a_claim_above_the_declared_value(alice_client, package_a):
    response = alice_client.post(
        url("create"),
        _create_data(category="DAMAGE", tracking_number=package_a.tracking_number, claim_amount="250"),
    )
    assert "cannot exceed the declared value" in " ".join(response.context["form"].errors["claim_amount"])
    assert not CustomerInquiry.objects.exists()


def test_create_is_for_counter_staff_only(client, auditor):
    client.force_login(auditor)
    assert client.get(url("create")).status_code == 403


def test_create_rejects_other_methods(alice_client):
    assert alice_client.put(url("create")).status_code == 405


def test_create_needs_csrf(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(url("create"), _create_data()).status_code == 403


def test_pages_need_a_login(client, inquiry):
    for target in (url("list"), url("create"), url("detail", inquiry)):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- detail and its actions -----------------------------------------------------------------


def test_detail_shows_the_inquiry_and_its_thread(alice_client, alice, inquiry, django_assert_max_num_queries):
    services.inquiry_add_note(inquiry=inquiry, actor=alice, body="Internal finding", shared=False)
    services.inquiry_add_note(inquiry=inquiry, actor=alice, body="What we told them", shared=True)
    with django_assert_max_num_queries(12):
        response = alice_client.get(url("detail", inquiry))
    body = response.content.decode()
    assert response.status_code == 200 and inquiry.reference in body
    assert "Internal finding" in body and "Shared with the customer" in body and "Take it" in body


def test_detail_queries_do_not_grow_with_notes(alice_client, alice, inquiry, django_assert_max_num_queries):
    for n in range(30):
        services.inquiry_add_note(inquiry=inquiry, actor=alice, body=f"note {n}")
    with django_assert_max_num_queries(12):
        assert alice_client.get(url("detail", inquiry)).status_code == 200


def test_other_branch_gets_404_everywhere(charlie_client, inquiry):
    assert charlie_client.get(url("detail", inquiry)).status_code == 404
    for name, data in [
        ("assign", {"take": "1"}),
        ("status", {"to_status": "WAITING_ON_CUSTOMER"}),
        ("resolve", {"resolution_code": "ANSWERED", "summary": "x"}),
        ("reopen", {"reason": "x"}),
        ("note", {"body": "x"}),
        ("claim", {"claim_amount": "1"}),
        ("claim_decision", {"decision": "approve", "reason": "x"}),
    ]:
        assert charlie_client.post(url(name, inquiry), data).status_code == 404, name
    inquiry.refresh_from_db()
    assert inquiry.status == "OPEN" and not inquiry.notes.exists()


def test_a_wrong_year_or_junk_reference_is_404(alice_client, inquiry):
    wrong_year = f"INQ-{inquiry.created_at.year - 1}-{inquiry.pk:06d}"
    assert alice_client.get(reverse("inquiries:detail", args=[wrong_year])).status_code == 404
    assert alice_client.get(reverse("inquiries:detail", args=["nonsense"])).status_code == 404


@pytest.mark.parametrize("name", ["assign", "status", "resolve", "reopen", "note", "claim", "claim_decision"])
def test_actions_accept_only_post(alice_client, inquiry, name):
    assert alice_client.get(url(name, inquiry)).status_code == 405


@pytest.mark.parametrize("name", ["assign", "status", "resolve", "note"])
def test_actions_need_csrf(alice, inquiry, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(url(name, inquiry), {"take": "1"}).status_code == 403


def test_detail_rejects_post(alice_client, inquiry):
    assert alice_client.post(url("detail", inquiry)).status_code == 405


def test_take_assigns_to_me_and_starts_work(alice_client, alice, inquiry):
    response = alice_client.post(url("assign", inquiry), {"take": "1"})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.assignee == alice and inquiry.status == "IN_PROGRESS"


def test_assign_to_someone_of_another_branch_is_a_form_error(alice_client, charlie, inquiry):
    response = alice_client.post(url("assign", inquiry), {"assignee": charlie.pk})
    assert response.status_code == 400
    assert "Choose a clerk or supervisor of this branch" in response.content.decode()


def test_status_change_and_illegal_move_message(alice_client, alice, inquiry):
    bad = alice_client.post(url("status", inquiry), {"to_status": "CLOSED"})
    assert bad.status_code == 400 and "cannot become Closed" in bad.content.decode()
    services.inquiry_assign(inquiry=inquiry, assignee=alice, actor=alice)
    ok = alice_client.post(url("status", inquiry), {"to_status": "WAITING_ON_CUSTOMER"})
    assert ok.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "WAITING_ON_CUSTOMER"


def test_resolve_without_resolution_shows_field_errors(alice_client, alice, inquiry):
    services.inquiry_assign(inquiry=inquiry, assignee=alice, actor=alice)
    response = alice_client.post(url("resolve", inquiry), {"resolution_code": "", "summary": ""})
    assert response.status_code == 400
    errors = response.context["resolve_form"].errors
    assert errors["resolution_code"] == ["Choose a resolution code."]
    assert errors["summary"] == ["Write a short summary of the resolution."]
    inquiry.refresh_from_db()
    assert inquiry.status == "IN_PROGRESS"


def test_resolve_then_reopen(alice_client, alice, inquiry):
    services.inquiry_assign(inquiry=inquiry, assignee=alice, actor=alice)
    assert (
        alice_client.post(
            url("resolve", inquiry), {"resolution_code": "ANSWERED", "summary": "Told"}
        ).status_code
        == 302
    )
    assert alice_client.post(url("reopen", inquiry), {"reason": ""}).status_code == 400
    assert alice_client.post(url("reopen", inquiry), {"reason": "Called back"}).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "IN_PROGRESS" and inquiry.reopened_count == 1


def test_note_shared_and_empty(alice_client, inquiry):
    assert alice_client.post(url("note", inquiry), {"body": "Told them", "shared": "on"}).status_code == 302
    assert inquiry.notes.get().visibility == "CUSTOMER"
    empty = alice_client.post(url("note", inquiry), {"body": ""})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()


def test_claim_and_supervisor_decision_through_the_screens(alice_client, bob_client, alice, package_a):
    inquiry = make_inquiry(actor=alice, category="LOST", tracking_number=package_a.tracking_number)
    too_much = alice_client.post(url("claim", inquiry), {"claim_amount": "500"})
    assert too_much.status_code == 400 and "declared value" in too_much.content.decode()
    assert alice_client.post(url("claim", inquiry), {"claim_amount": "60"}).status_code == 302
    clerk = alice_client.post(url("claim_decision", inquiry), {"decision": "approve", "reason": "ok"})
    assert clerk.status_code == 400 and "Only supervisors decide claims." in clerk.content.decode()
    page = bob_client.get(url("detail", inquiry)).content.decode()
    assert "Approve payout" in page
    no_reason = bob_client.post(url("claim_decision", inquiry), {"decision": "approve", "reason": ""})
    assert no_reason.status_code == 400
    assert (
        bob_client.post(url("claim_decision", inquiry), {"decision": "approve", "reason": "Lost"}).status_code
        == 302
    )
    inquiry.refresh_from_db()
    assert inquiry.claim_status == ClaimStatus.APPROVED and inquiry.claim_approved_amount == Decimal("60.00")


def test_auditor_of_the_branch_reads_but_cannot_act(client, branch_a, inquiry):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="ada", branch=branch_a, role="AUDITOR"))
    page = client.get(url("detail", inquiry))
    assert page.status_code == 200 and "Take it" not in page.content.decode()
    assert client.post(url("note", inquiry), {"body": "x"}).status_code == 403
