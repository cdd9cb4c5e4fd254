"""Browser: a customer follows a parcel on the public tracking page, in transit and then ready."""

import pytest

from packages_app.services import package_dispatch, package_receive
from tests.factories import BranchFactory, PackageFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_customer_tracks_a_parcel_in_transit_then_ready(page, settings):
    settings.ENABLE_REAL_TIME_TRACKING = True
    origin = BranchFactory(code="AAA01", name="Alpha Central", city="Alphaville")
    destination = BranchFactory(code="BBB01", name="Bravo North", city="Bravotown")
    alice = UserFactory(username="alice", branch=origin)
    charlie = UserFactory(username="charlie", branch=destination)
    parcel = PackageFactory(
        origin_branch=origin, destination_branch=destination, recipient_name="Rita Recipient"
    )
    parcel = package_dispatch(package=parcel, actor=alice)

    # A fake clock, so the page's 30-second poll can be fast-forwarded.
    page.clock.install()
    # The customer types the number the way people do: lower case, with a space.
    page.goto("/track/")
    page.fill("#id_number", f"{parcel.tracking_number[:5].lower()} {parcel.tracking_number[5:]}")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/track/{parcel.tracking_number}")
    status = page.locator("#track-status")
    assert "In transit" in status.inner_text()
    assert "On its way to Bravotown" in status.inner_text()
    assert "Alphaville" in page.locator(".timeline").inner_text()
    assert status.get_attribute("hx-trigger") == "every 30s"  # it refreshes itself
    assert "Rita Recipient" not in page.content()

    package_receive(package=parcel, actor=charlie)
    # No reload: the page's own htmx poll fetches the new state.
    page.clock.run_for("00:31")
    status = page.locator("#track-status")
    status.get_by_text("Ready for pickup in Bravotown").wait_for()
    assert [t.strip() for t in page.locator(".timeline li strong").all_inner_texts()] == [
        "Ready for pickup",
        "In transit",
        "Received",
    ]


def test_a_mistyped_number_is_explained_in_the_form(page, db):
    page.goto("/track/")
    page.fill("#id_number", "RB123456784US")  # the check digit of RB12345678_US is 5
    page.click("button[type=submit]")
    assert "one character looks mistyped" in page.locator("main").inner_text()
