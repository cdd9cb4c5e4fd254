"""What inquiries add to packages_app's pages: dashboard counts + median, the package page's list."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from inquiries_app import selectors, services
from inquiries_app.lifecycle import Status
from inquiries_app.models import CustomerInquiry
from tests.inquiries_app.conftest import make_inquiry

pytestmark = pytest.mark.django_db


def _resolve(inquiry, actor, *, took: timedelta):
    inquiry = services.inquiry_assign(inquiry=inquiry, assignee=actor, actor=actor)
    inquiry = services.inquiry_resolve(inquiry=inquiry, actor=actor, resolution_code="ANSWERED", summary="ok")
    CustomerInquiry.objects.filter(pk=inquiry.pk).update(created_at=inquiry.resolved_at - took)
    return inquiry


def test_dashboard_counts_open_overdue_and_resolved_today(alice, charlie):
    make_inquiry(actor=alice)
    late = make_inquiry(actor=alice)
    CustomerInquiry.objects.filter(pk=late.pk).update(due_at=late.created_at)
    _resolve(make_inquiry(actor=alice), alice, took=timedelta(hours=1))
    make_inquiry(actor=charlie)  # another branch: never counted
    stats = selectors.branch_stats(alice)
    assert (stats.open, stats.overdue, stats.resolved_today) == (2, 1, 1)


@pytest.mark.parametrize(
    ("hours", "median"),
    [([1, 3, 8], timedelta(hours=3)), ([1, 2, 4, 10], timedelta(hours=3)), ([], None)],
)
def test_median_time_to_resolve_over_30_days(alice, hours, median):
    for h in hours:
        _resolve(make_inquiry(actor=alice), alice, took=timedelta(hours=h))
    old = _resolve(make_inquiry(actor=alice), alice, took=timedelta(hours=500))
    CustomerInquiry.objects.filter(pk=old.pk).update(
        resolved_at=timezone.now() - timedelta(days=31), created_at=timezone.now() - timedelta(days=52)
    )
    assert selectors.branch_stats(alice).median_resolve == median


def test_dashboard_shows_the_panel_with_bounded_queries(alice_client, alice, django_assert_max_num_queries):
    for _ in range(5):
        _resolve(make_inquiry(actor=alice), alice, took=timedelta(hours=2))
    make_inquiry(actor=alice)
    with django_assert_max_num_queries(16):
        response = alice_client.get(reverse("home"))
    body = response.content.decode()
    assert "Customer inquiries" in body and "median time to resolve" in body and "2 h 0 min" in body
    with django_assert_max_num_queries(16):
        alice_client.get(reverse("home"))  # same count again; no growth with data (see list test)


def test_package_page_lists_its_inquiries_and_offers_a_new_one(
    alice_client, alice, charlie, package_b, django_assert_max_num_queries
):
    mine = make_inquiry(actor=alice, tracking_number=package_b.tracking_number, customer_name="Ann A")
    theirs = make_inquiry(actor=charlie, tracking_number=package_b.tracking_number, customer_name="Ben B")
    CustomerInquiry.objects.filter(pk=mine.pk).update(due_at=mine.created_at)
    with django_assert_max_num_queries(14):
        response = alice_client.get(reverse("packages:detail", args=[package_b.tracking_number]))
    body = response.content.decode()
    assert mine.reference in body and "Ann A" in body and 'class="overdue"' in body
    assert theirs.reference not in body  # B's inquiry about the same parcel stays B's
    assert f"{reverse('inquiries:create')}?tracking={package_b.tracking_number}" in body


def test_resolved_inquiry_still_shows_on_the_package_page(alice_client, alice, package_a):
    inquiry = make_inquiry(actor=alice, tracking_number=package_a.tracking_number)
    _resolve(inquiry, alice, took=timedelta(hours=1))
    body = alice_client.get(reverse("packages:detail", args=[package_a.tracking_number])).content.decode()
    assert inquiry.reference in body and "Resolved" in body


def test_packages_app_never_imports_inquiries_app():
    root = Path(__file__).resolve().parents[2] / "packages_app"
    offenders = [p.name for p in root.rglob("*.py") if "inquiries_app" in p.read_text()]
    assert offenders == []


def test_waiting_inquiries_are_not_overdue_on_the_dashboard(alice):
    inquiry = services.inquiry_assign(inquiry=make_inquiry(actor=alice), assignee=alice, actor=alice)
    services.inquiry_change_status(inquiry=inquiry, to_status=Status.WAITING_ON_CUSTOMER, actor=alice)
    CustomerInquiry.objects.filter(pk=inquiry.pk).update(due_at=inquiry.created_at)
    stats = selectors.branch_stats(alice)
    assert (stats.open, stats.overdue) == (1, 0)


def test_seed_demo_adds_starter_inquiries_and_two_percent_of_new_packages():
    call_command("seed_demo", "--password", "demo-pass-1234", verbosity=0)
    starter = CustomerInquiry.objects.count()
    assert starter == 12
    assert CustomerInquiry.objects.filter(status=Status.OPEN, assignee__isnull=True).count() <= starter
    call_command("seed_demo", "--password", "demo-pass-1234", "--packages", "500", verbosity=0)
    assert CustomerInquiry.objects.count() == starter + 10
    for inquiry in CustomerInquiry.objects.select_related("package"):
        assert inquiry.package.branch_id == inquiry.branch_id
        assert inquiry.due_at >= inquiry.created_at


def test_dashboard_panel_costs_one_query_on_postgres_and_two_elsewhere(
    rf, alice, on_postgres, django_assert_num_queries
):
    from inquiries_app.panels import dashboard_panel

    for h in (1, 2, 3):
        _resolve(make_inquiry(actor=alice), alice, took=timedelta(hours=h))
    request = rf.get("/")
    request.user = alice
    with django_assert_num_queries(1 if on_postgres else 2):
        panel = dashboard_panel(request=request)
    assert panel["stats"].median_resolve == timedelta(hours=2)
