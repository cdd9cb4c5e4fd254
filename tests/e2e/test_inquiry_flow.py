"""A counter inquiry about a package: opened from the package page, taken, resolved, and then
visible on the package page — in Chromium, with the real CSP."""

import pytest

from tests.e2e.conftest import login
from tests.factories import ensure_tariff
from tests.inquiries_app.conftest import ensure_sla_policies, make_package

pytestmark = pytest.mark.django_db(transaction=True)


def test_counter_inquiry_on_a_package_is_assigned_resolved_and_shown_on_the_package(
    page, alice, branch_b, password
):
    ensure_tariff()
    ensure_sla_policies()
    package = make_package(actor=alice, destination=branch_b)
    login(page, "alice", password)
    page.wait_for_url("**/")
    page.goto(f"/packages/{package.tracking_number}/")
    page.click("text=New inquiry about this package")
    assert page.input_value("#id_tracking_number") == package.tracking_number

    page.fill("#id_customer_name", "Casey Customer")
    page.fill("#id_customer_phone", "+1 617 555 0111")
    page.select_option("#id_category", "DELAY")
    page.fill("#id_description", "Parcel late, customer at the counter.")
    page.click("text=Open inquiry")
    page.wait_for_url("**/inquiries/INQ-*/")
    reference = page.locator("h1 .mono").inner_text()
    assert "Open" in page.locator("h1").inner_text()

    page.click("text=Take it")
    page.wait_for_selector("text=assigned to alice")
    assert "In progress" in page.locator("h1").inner_text()

    page.click("button:has-text('Resolve')")  # without a resolution: field errors, nothing lost
    assert page.locator("text=Choose a resolution code.").is_visible()
    page.select_option("#resolve_resolution_code", "ANSWERED")
    page.fill("#resolve_summary", "Parcel is at the hub; delivery tomorrow.")
    page.click("button:has-text('Resolve')")
    page.wait_for_selector(f"text={reference} resolved.")

    page.goto(f"/packages/{package.tracking_number}/")
    row = page.locator("#inquiries-h + table tbody tr")
    assert row.count() == 1
    assert reference in row.inner_text() and "Resolved" in row.inner_text()
