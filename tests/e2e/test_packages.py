"""Counter flow in a real browser: intake → label → dispatch → scan check-in at the destination."""

import pytest
from playwright.sync_api import expect

from packages_app.models import Package
from tests.e2e.conftest import login
from tests.factories import ensure_tariff

pytestmark = pytest.mark.django_db(transaction=True)


def test_intake_label_dispatch_and_scan_check_in(
    page, browser, live_server, alice, charlie, branch_b, password
):
    ensure_tariff()
    # Intake takes the fee in cash into the clerk's open drawer (tests/e2e/test_transit.py opens it
    # through the screen).
    from decimal import Decimal

    from packages_app.drawer import drawer_open

    drawer_open(actor=alice, opening_float=Decimal("0.00"))
    login(page, "alice", password)
    page.wait_for_url("**/")
    page.click("text=New package")
    page.wait_for_url("**/packages/new/")
    # Keyboard-first: the first field has the focus.
    expect(page.locator("#id_sender_name")).to_be_focused()
    page.keyboard.type("Sam <b>Sender</b>")
    page.fill("#id_sender_phone", "+1 617 555 0100")
    page.fill("#id_sender_address", "1 Main St")
    page.fill("#id_recipient_name", "Rita Recipient")
    page.fill("#id_recipient_phone", "+1 212 555 0199")
    page.fill("#id_recipient_address", "2 Oak Ave")
    page.select_option("#id_destination_branch", str(branch_b.pk))
    page.fill("#id_weight_grams", "-3")
    page.click("text=Take in and print label")
    assert page.locator(".has-error .error").inner_text() == "Weight must be more than 0 g."
    page.fill("#id_weight_grams", "1500")
    page.click("text=Take in and print label")
    page.wait_for_url("**/packages/RB*/?new=1")
    package = Package.objects.get()
    assert package.tracking_number in page.locator("h1").inner_text()
    assert "Sam <b>Sender</b>" in page.locator("main").inner_text()  # shown as text, not markup

    # The label: a real PDF from the link on the page.
    href = page.locator("a", has_text="Print PDF 4X6").get_attribute("href")
    label = page.request.get(href)
    assert (
        label.ok and label.body().startswith(b"%PDF") and label.headers["content-type"] == "application/pdf"
    )

    # Dispatch to the destination through the action form.
    page.click("button:has-text('Dispatch')")
    assert "is now In transit" in page.locator(".messages").inner_text()

    # At branch B, charlie scans it in: a result row appears without a page load.
    context = browser.new_context(base_url=live_server.url)
    scanner = context.new_page()
    login(scanner, "charlie", password)
    scanner.wait_for_url("**/")
    scanner.click("nav >> text=Scan")
    scanner.wait_for_selector("#id_code")
    expect(scanner.locator("#id_code")).to_be_focused()
    scanner.evaluate("window.__marker = 1")  # survives only if the page is not reloaded
    scanner.keyboard.type(package.tracking_number.lower() + "\n")
    scanner.wait_for_selector("#scan-results li[data-kind=ok]")
    assert "Ready for pickup" in scanner.locator("#scan-results li").first.inner_text()
    assert scanner.evaluate("window.__marker") == 1
    assert scanner.input_value("#id_code") == ""  # cleared and focused for the next scan
    expect(scanner.locator("#id_code")).to_be_focused()
    # The same parcel again: a repeat, said so.
    scanner.keyboard.type(package.tracking_number + "\n")
    scanner.wait_for_selector("#scan-results li[data-kind=repeat]")
    # A misread barcode.
    scanner.keyboard.type("RB123456786US\n")
    scanner.wait_for_selector("#scan-results li[data-kind=bad_check_digit]")
    assert "wrong check digit" in scanner.locator("#scan-results li").first.inner_text()
    context.close()
    package.refresh_from_db()
    assert package.status == "READY_FOR_PICKUP" and package.branch == branch_b
