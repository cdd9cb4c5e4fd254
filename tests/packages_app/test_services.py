"""Services: intake numbers and prices a package, journeys move it between branches, audit alongside."""

from decimal import Decimal

import pytest

from audit.models import AuditLog
from packages_app import s10
from packages_app.lifecycle import Status, TransitionError
from packages_app.models import PackageEvent, Tariff
from packages_app.services import (
    Party,
    package_cancel,
    package_dispatch,
    package_hold,
    package_intake,
    package_label_printed,
    package_receive,
    package_release,
    package_transition,
)
from packages_app.tariffs import NoTariffError

pytestmark = pytest.mark.django_db


def _intake(actor, destination, **overrides):
    kwargs = {
        "actor": actor,
        "sender": Party("Sam Sender", "+1 617 555 0100", "1 Main St"),
        "recipient": Party("Rita Recipient", "+1 (212) 555-0199", "2 Oak Ave", "rita@example.com"),
        "destination_branch": destination,
        "service": "STANDARD",
        "weight_grams": 1500,
    }
    return package_intake(**{**kwargs, **overrides})


def test_intake_numbers_prices_and_records_the_package(alice, branch_a, branch_b):
    package = _intake(alice, branch_b)
    assert s10.is_valid(package.tracking_number)
    assert package.tracking_number.startswith("RB") and package.tracking_number.endswith("US")
    assert (package.status, package.branch, package.origin_branch) == (Status.RECEIVED, branch_a, branch_a)
    # The starter tariff's 2 kg standard band.
    assert package.fee == Tariff.objects.get(service="STANDARD", max_weight_grams=2000).price
    assert package.recipient_phone_digits == "12125550199"
    event = package.events.get()
    assert (event.status, event.actor, event.branch) == (Status.RECEIVED, alice, branch_a)
    audit = AuditLog.objects.get(action="package.intake")
    assert audit.object_id == str(package.pk) and audit.username == "alice"
    # No personal data in the audit trail.
    assert "Rita" not in str(audit.changes) and "555" not in str(audit.changes)


def test_fee_follows_the_tariff_admins_edit(alice, branch_b):
    Tariff.objects.filter(service="EXPRESS", max_weight_grams=500).update(price=Decimal("9.99"))
    assert _intake(alice, branch_b, service="EXPRESS", weight_grams=500).fee == Decimal("9.99")
    assert _intake(alice, branch_b, service="EXPRESS", weight_grams=501).fee == Decimal("10.50")


def test_weight_above_the_heaviest_band_is_refused(alice, branch_b):
    with pytest.raises(NoTariffError, match="heaviest band"):
        _intake(alice, branch_b, weight_grams=30_001)


def test_intake_to_a_closed_branch_is_refused(alice, branch_b):
    branch_b.is_active = False
    branch_b.save()
    with pytest.raises(TransitionError, match="closed"):
        _intake(alice, branch_b)


def test_auditors_cannot_take_packages_in(branch_a, branch_b):
    from tests.factories import UserFactory

    with pytest.raises(TransitionError):
        _intake(UserFactory(branch=branch_a, role="AUDITOR"), branch_b)


def test_journey_through_a_hub_to_pickup(alice, charlie, branch_a, branch_b):
    from tests.factories import BranchFactory, UserFactory

    hub = BranchFactory(code="HUB01")
    hub_clerk = UserFactory(branch=hub)
    package = _intake(alice, branch_b)
    package = package_dispatch(package=package, actor=alice, to_branch=hub)
    assert (package.status, package.branch) == (Status.IN_TRANSIT, hub)
    package = package_receive(package=package, actor=hub_clerk)
    assert package.status == Status.ARRIVED
    package = package_dispatch(package=package, actor=hub_clerk)  # onwards to the destination
    assert package.branch == branch_b
    package = package_receive(package=package, actor=charlie)
    assert (package.status, package.branch) == (Status.READY_FOR_PICKUP, branch_b)
    statuses = list(package.events.order_by("id").values_list("status", flat=True))
    assert statuses == ["RECEIVED", "IN_TRANSIT", "ARRIVED", "IN_TRANSIT", "READY_FOR_PICKUP"]
    assert AuditLog.objects.filter(object_id=str(package.pk)).count() == 5


def test_return_to_sender_travels_back_and_ends_returned(alice, charlie, branch_a, branch_b):
    package = package_dispatch(package=_intake(alice, branch_b), actor=alice)
    package = package_receive(package=package, actor=charlie)
    package = package_transition(
        package=package, to_status=Status.RETURN_TO_SENDER, actor=charlie, reason_code="REFUSED"
    )
    package = package_dispatch(package=package, actor=charlie)
    assert package.branch == branch_a  # heading home
    package = package_receive(package=package, actor=alice)
    # Back home it waits for the sender; handing it back ends it (tests/packages_app/test_handover.py).
    assert package.status == Status.RETURN_TO_SENDER and package.branch == branch_a


def test_a_clerk_cannot_act_on_another_branchs_package(alice, charlie, branch_b):
    package = _intake(alice, branch_b)
    with pytest.raises(TransitionError, match="responsibility of branch AAA01"):
        package_cancel(package=package, actor=charlie, reason_code="OTHER")


def test_hold_and_release(alice, branch_b):
    package = _intake(alice, branch_b)
    held = package_hold(package=package, actor=alice, reason_code="ADDRESS_PROBLEM", note="no flat number")
    assert (held.status, held.status_before_hold) == (Status.ON_HOLD, Status.RECEIVED)
    assert held.events.order_by("-id").first().note == "no flat number"
    released = package_release(package=held, actor=alice)
    assert released.status == Status.RECEIVED
    with pytest.raises(TransitionError, match="not on hold"):
        package_release(package=released, actor=alice)


def test_cancel_only_before_dispatch(alice, charlie, branch_b):
    package = package_dispatch(package=_intake(alice, branch_b), actor=alice)
    # Once dispatched, A is no longer responsible, and B (now responsible) cannot cancel either.
    with pytest.raises(TransitionError, match="responsibility of branch BBB01"):
        package_cancel(package=package, actor=alice, reason_code="SENDER_REQUEST")
    with pytest.raises(TransitionError, match="cannot become Cancelled"):
        package_cancel(package=package, actor=charlie, reason_code="SENDER_REQUEST")


def test_check_in_of_a_package_not_in_transit_says_so(alice, branch_b):
    with pytest.raises(TransitionError, match="not in transit"):
        package_receive(package=_intake(alice, branch_b), actor=alice)


def test_dispatch_to_the_branch_it_is_at_is_refused(alice, branch_a, branch_b):
    with pytest.raises(TransitionError, match="already at AAA01"):
        package_dispatch(package=_intake(alice, branch_b), actor=alice, to_branch=branch_a)


def test_label_prints_are_counted_as_reprints(alice, branch_b):
    package = _intake(alice, branch_b)
    package_label_printed(package=package, actor=alice, label_format="PDF 4x6")
    second = package_label_printed(package=package, actor=alice, label_format="ZPL")
    assert second.kind == PackageEvent.Kind.LABEL and second.note == "ZPL label, reprint #1"
    assert AuditLog.objects.filter(action="package.label_printed").count() == 2


def test_a_failed_transition_leaves_no_event_and_no_audit(alice, branch_b):
    package = _intake(alice, branch_b)
    events, audits = PackageEvent.objects.count(), AuditLog.objects.count()
    with pytest.raises(TransitionError):
        package_transition(package=package, to_status=Status.DELIVERED, actor=alice)
    assert (PackageEvent.objects.count(), AuditLog.objects.count()) == (events, audits)
