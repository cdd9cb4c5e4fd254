"""One parcel's full trip in a real browser: intake at A (cash fee) → manifest → dispatch →
receive at B with one missing and one extra → handover with COD → drawer close."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from packages_app import drawer
from packages_app.models import Handover, Manifest, Package, Payment
from tests.e2e.conftest import login
from tests.factories import PackageFactory, ensure_tariff

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_parcels_trip_from_intake_to_handover_and_drawer_close(
    page, browser, live_server, alice, charlie, branch_a, branch_b, password
):
    ensure_tariff()
    drawer.drawer_open(actor=charlie, opening_float=Decimal("20.00"))
    missing = PackageFactory(origin_branch=branch_a, destination_branch=branch_b)
    extra = PackageFactory(origin_branch=branch_a, destination_branch=branch_b)  # travels unlisted

    # --- Branch A: open the drawer, take the parcel in for cash. ---
    login(page, "alice", password)
    page.wait_for_url("**/")
    page.click("nav >> text=Drawer")
    page.fill("#id_opening_float", "50.00")
    page.click("text=Open drawer")
    assert "Drawer open." in page.locator(".messages").inner_text()
    page.click("nav >> text=New package")
    page.fill("#id_sender_name", "Sam Sender")
    page.fill("#id_sender_phone", "+1 617 555 0100")
    page.fill("#id_sender_address", "1 Main St")
    page.fill("#id_recipient_name", "Rita Recipient")
    page.fill("#id_recipient_phone", "+1 212 555 0199")
    page.fill("#id_recipient_address", "2 Oak Ave")
    page.select_option("#id_destination_branch", str(branch_b.pk))
    page.fill("#id_weight_grams", "1500")
    page.fill("#id_cod_amount", "30.00")
    page.click("text=Take in and print label")
    page.wait_for_url("**/packages/RB*/?new=1")
    assert "paid by cash" in page.locator(".messages").inner_text()
    parcel = Package.objects.get(recipient_name="Rita Recipient")

    # --- Manifest A → B: scan the parcel and the soon-missing one, a mistake removed, seal, dispatch.
    page.click("nav >> text=Manifests")
    page.select_option("#id_destination_branch", str(branch_b.pk))
    page.click("text=Open manifest")
    page.wait_for_url(re.compile(r".*/manifests/\d+/$"))
    expect(page.locator("#id_code")).to_be_focused()
    for number in (parcel.tracking_number, missing.tracking_number, parcel.tracking_number):
        with page.expect_navigation():
            page.keyboard.type(number + "\n")  # the scanner types into the focused box
        expect(page.locator("#id_code")).to_be_focused()
    assert "already in this manifest" in page.locator(".messages").inner_text()
    page.click("text=Seal")
    assert "Sealed" in page.locator(".messages").inner_text()
    page.click("button:has-text('Dispatch')")
    assert "2 package(s) in transit" in page.locator(".messages").inner_text()
    manifest = Manifest.objects.get()

    # --- Branch B: scan the bag's barcode, the parcel and an unlisted extra; finish. ---
    context = browser.new_context(base_url=live_server.url)
    b = context.new_page()
    b.on("dialog", lambda dialog: dialog.accept())
    login(b, "charlie", password)
    b.wait_for_url("**/")
    b.click("nav >> text=Manifests")
    b.fill("#id_code", manifest.number)
    b.click("button:has-text('Receive')")
    b.wait_for_url(f"**/manifests/{manifest.pk}/receive/")
    with b.expect_navigation():
        b.keyboard.type(parcel.tracking_number + "\n")
    assert "checked against the manifest" in b.locator(".messages").inner_text()
    b.fill("#id_code", extra.tracking_number)
    with b.expect_navigation():
        b.keyboard.press("Enter")
    assert "recorded as extra" in b.locator(".messages").inner_text()
    b.click("text=Finish receipt")
    b.wait_for_url(f"**/manifests/{manifest.pk}/")
    assert "1 in, 1 missing, 1 extra" in b.locator(".messages").inner_text()
    assert b.locator("td[data-outcome=MISSING]").count() == 1, b.locator("main").inner_html()[-3000:]

    # --- Handover with COD in cash, then the proof of delivery. ---
    b.click("nav >> text=Handover")
    b.fill("#id_q", "+1 212 555 0199")
    with b.expect_navigation():
        b.keyboard.press("Enter")
    if "/handover/?" in b.url:  # two packages for that phone: pick ours
        b.click(f"tr:has-text('{parcel.tracking_number}') >> text=Hand over")
    b.wait_for_url(f"**/packages/{parcel.tracking_number}/handover/")
    b.fill("#id_collector_name", "Rita Recipient")
    b.select_option("#id_id_type", "PASSPORT")
    b.fill("#id_id_last4", "X1234567")  # maxlength stops the browser at 4 characters
    assert b.input_value("#id_id_last4") == "X123"
    b.click("button:has-text('Hand over and collect 30.00')")
    b.wait_for_url(f"**/packages/{parcel.tracking_number}/")
    assert "handed over" in b.locator(".messages").inner_text()
    pod = b.request.get(b.locator("a", has_text="Proof of delivery").get_attribute("href"))
    assert pod.ok and pod.body().startswith(b"%PDF")

    # --- Close the drawer: expected = float + COD; counted short by 1.00. ---
    b.click("nav >> text=Drawer")
    assert b.locator("#expected-cash").inner_text() == "50.00"
    b.fill("#id_counted_cash", "49.00")
    b.click("text=Close drawer")
    assert b.locator("#difference").inner_text() == "-1.00"
    context.close()

    parcel.refresh_from_db()
    assert parcel.status == "DELIVERED"
    assert Handover.objects.get(package=parcel).id_last4 == "X123"
    assert set(Payment.objects.values_list("kind", "method", "amount")) == {
        ("FEE", "CASH", parcel.fee),
        ("COD", "CASH", Decimal("30.00")),
    }
