"""Cash drawer, intake payments, COD at handover, refunds on cancel, and the payment gateway stub."""

from decimal import Decimal

import pytest

from packages_app import drawer, handover
from packages_app.drawer import PaymentError, PaymentInput
from packages_app.handover import Collector
from packages_app.lifecycle import Status, TransitionError
from packages_app.models import DrawerSession, Package, Payment
from packages_app.services import Party, package_cancel, package_dispatch, package_receive, package_transition
from tests.factories import PackageFactory

pytestmark = pytest.mark.django_db

INTAKE = {
    "sender": Party("Sam", "+1 617 555 0100", "1 Main St"),
    "recipient": Party("Rita", "+1 212 555 0199", "2 Oak Ave"),
    "service": "STANDARD",
    "weight_grams": 1500,
}


@pytest.fixture
def gateway(settings, partner_stub):
    settings.PAYMENT_GATEWAY_URL = partner_stub.url
    settings.PAYMENT_TIMEOUT = 0.5
    partner_stub.answers["/charges"] = (200, {"status": "approved", "id": "ch_1"})
    return partner_stub


def _intake(alice, branch_b, payment):
    package, created = drawer.intake_and_pay(
        actor=alice, destination_branch=branch_b, payment=payment, **INTAKE
    )
    assert created
    return package


def test_cash_intake_posts_the_fee_to_the_open_drawer(alice, branch_b):
    with pytest.raises(PaymentError, match="Open your cash drawer"):
        _intake(alice, branch_b, PaymentInput())
    assert not Package.objects.exists()  # nothing half-written
    session = drawer.drawer_open(actor=alice, opening_float=Decimal("50.00"))
    with pytest.raises(TransitionError, match="already open"):
        drawer.drawer_open(actor=alice, opening_float=Decimal("10"))
    package = _intake(alice, branch_b, PaymentInput())
    payment = Payment.objects.get()
    assert (payment.kind, payment.method, payment.amount, payment.drawer) == (
        "FEE",
        "CASH",
        package.fee,
        session,
    )
    assert drawer.expected_cash(session) == Decimal("50.00") + package.fee


def test_card_intake_charges_through_the_gateway(gateway, alice, branch_b):
    package = _intake(alice, branch_b, PaymentInput(method="CARD", card_token="tok_ok", idempotency_key="k1"))
    payment = Payment.objects.get()
    assert payment.method == "CARD" and payment.charge_id == "ch_1" and payment.drawer is None
    body = gateway.received[0]
    assert body["amount"] == str(package.fee) and body["card_token"] == "tok_ok"
    assert gateway.headers[0]["Idempotency-Key"] == "k1"


def test_a_declined_card_leaves_nothing_written(gateway, alice, branch_b):
    gateway.answers["/charges"] = (402, {"status": "declined", "reason": "insufficient funds"})
    with pytest.raises(PaymentError, match="declined \\(insufficient funds\\)"):
        _intake(alice, branch_b, PaymentInput(method="CARD", card_token="tok", idempotency_key="k2"))
    assert not Package.objects.exists() and not Payment.objects.exists()


def test_a_gateway_timeout_says_so_and_leaves_nothing_written(gateway, alice, branch_b):
    gateway.mode, gateway.delay = "slow", 2
    with pytest.raises(PaymentError, match="could not reach the payment gateway"):
        _intake(alice, branch_b, PaymentInput(method="CARD", card_token="tok", idempotency_key="k3"))
    assert not Package.objects.exists()


def test_a_repeated_charge_reuses_its_idempotency_key(gateway, alice, branch_b):
    from branch_courier.integrations.payment import PaymentClient

    card = PaymentInput(method="CARD", card_token="tok", idempotency_key="same")
    first = _intake(alice, branch_b, card)
    # The form sent again finds its package: the gateway is not asked a second time.
    again, created = drawer.intake_and_pay(actor=alice, destination_branch=branch_b, payment=card, **INTAKE)
    assert not created and again.pk == first.pk and len(gateway.delivered) == 1
    # A charge whose answer was lost and is sent again carries the same key: charged once.
    PaymentClient().charge(
        amount=first.fee, currency="USD", card_token="tok", reference="r", idempotency_key="same"
    )
    assert gateway.duplicates == 1 and len(gateway.delivered) == 1


def test_card_is_refused_when_no_gateway_is_configured(settings, alice, branch_b):
    settings.PAYMENT_GATEWAY_URL = ""
    assert not drawer.card_payments_enabled()
    with pytest.raises(PaymentError, match="not available"):
        _intake(alice, branch_b, PaymentInput(method="CARD", card_token="t", idempotency_key="k"))


def test_cancel_refunds_the_fee_from_the_drawer(alice, branch_b):
    session = drawer.drawer_open(actor=alice, opening_float=Decimal("20.00"))
    package = _intake(alice, branch_b, PaymentInput())
    package_cancel(package=package, actor=alice, reason_code="SENDER_REQUEST")
    assert Payment.objects.filter(kind="REFUND", amount=package.fee, drawer=session).exists()
    assert drawer.expected_cash(session) == Decimal("20.00")


def test_close_shows_expected_versus_counted(alice, bob, branch_b):
    session = drawer.drawer_open(actor=alice, opening_float=Decimal("20.00"))
    package = _intake(alice, branch_b, PaymentInput())
    with pytest.raises(TransitionError, match="Only the clerk"):
        drawer.drawer_close(session=session, actor=bob, counted_cash=Decimal("0"))
    closed = drawer.drawer_close(session=session, actor=alice, counted_cash=Decimal("20.00"))
    assert closed.expected_cash == Decimal("20.00") + package.fee
    assert closed.discrepancy == -package.fee
    with pytest.raises(TransitionError, match="already closed"):
        drawer.drawer_close(session=session, actor=alice, counted_cash=Decimal("1"))


@pytest.fixture
def ready(alice, charlie, branch_a, branch_b):
    package = PackageFactory(origin_branch=branch_a, destination_branch=branch_b, cod_amount=Decimal("25.00"))
    package = package_dispatch(package=package, actor=alice)
    return package_receive(package=package, actor=charlie)


def test_handover_collects_cod_in_cash_and_delivers(charlie, ready):
    session = drawer.drawer_open(actor=charlie, opening_float=Decimal("0"))
    record = handover.package_handover(
        package=ready, actor=charlie, collector=Collector("Rita R", "PASSPORT", "7f3k")
    )
    ready.refresh_from_db()
    assert ready.status == Status.DELIVERED
    assert record.id_last4 == "7F3K" and record.cod_collected == Decimal("25.00")
    assert drawer.expected_cash(session) == Decimal("25.00")


def test_handover_refuses_a_full_id_number_and_keeps_nothing(charlie, ready):
    drawer.drawer_open(actor=charlie, opening_float=Decimal("0"))
    with pytest.raises(TransitionError, match="last 4"):
        handover.package_handover(
            package=ready, actor=charlie, collector=Collector("Rita", "ID_CARD", "X1234567")
        )
    ready.refresh_from_db()
    assert ready.status == Status.READY_FOR_PICKUP and not Payment.objects.exists()


def test_handover_without_an_open_drawer_for_cash_cod_is_refused(charlie, ready):
    with pytest.raises(PaymentError, match="Open your cash drawer"):
        handover.package_handover(
            package=ready, actor=charlie, collector=Collector("Rita", "ID_CARD", "1234")
        )
    ready.refresh_from_db()
    assert ready.status == Status.READY_FOR_PICKUP


def test_another_branch_cannot_hand_over(alice, ready):
    with pytest.raises(TransitionError, match="responsibility of branch"):
        handover.package_handover(package=ready, actor=alice, collector=Collector("X", "ID_CARD", "1234"))


def test_a_return_waits_at_the_origin_and_ends_returned_when_handed_back(alice, charlie, ready, branch_a):
    package = package_transition(
        package=ready, to_status=Status.RETURN_TO_SENDER, actor=charlie, reason_code="REFUSED"
    )
    package = package_dispatch(package=package, actor=charlie)
    package = package_receive(package=package, actor=alice)
    assert package.status == Status.RETURN_TO_SENDER and package.branch == branch_a
    handover.package_handover(package=package, actor=alice, collector=Collector("Sam", "ID_CARD", "9999"))
    package.refresh_from_db()
    assert package.status == Status.RETURNED
    assert not Payment.objects.exists()  # no COD from the sender


def test_only_one_open_drawer_per_clerk_in_the_database(alice):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    drawer.drawer_open(actor=alice, opening_float=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        DrawerSession.objects.create(
            branch=alice.branch, clerk=alice, opened_at=timezone.now(), opening_float=1
        )


def test_the_database_refuses_more_than_4_id_characters(charlie, ready):
    from django.db import DataError, IntegrityError, transaction
    from django.utils import timezone

    from packages_app.models import Handover

    # PostgreSQL's varchar(4) refuses it (DataError); on SQLite the check constraint does.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Handover.objects.create(
            package=ready,
            collector_name="X",
            id_type="PASSPORT",
            id_last4="12345",
            branch=charlie.branch,
            handed_over_by=charlie,
            at=timezone.now(),
        )


# --- The same intake form sent twice -----------------------------------------------------------


def test_the_same_intake_key_takes_the_parcel_in_and_the_fee_once(alice, branch_b):
    session = drawer.drawer_open(actor=alice, opening_float=Decimal("50.00"))
    payment = PaymentInput(method="CASH", idempotency_key="form-key-1")
    first, created = drawer.intake_and_pay(
        actor=alice, destination_branch=branch_b, payment=payment, **INTAKE
    )
    again, created_again = drawer.intake_and_pay(
        actor=alice, destination_branch=branch_b, payment=payment, **INTAKE
    )
    assert created and not created_again
    assert again.pk == first.pk and first.intake_key == "form-key-1"
    assert Package.objects.count() == 1
    assert Payment.objects.filter(drawer=session).count() == 1


def test_a_new_form_is_a_new_parcel(alice, branch_b, alice_drawer):
    for key in ("form-key-a", "form-key-b"):
        drawer.intake_and_pay(
            actor=alice, destination_branch=branch_b, payment=PaymentInput(idempotency_key=key), **INTAKE
        )
    assert Package.objects.count() == 2


def test_a_failed_payment_leaves_the_key_free_for_the_retry(settings, alice, branch_b):
    # No drawer open: cash fails, nothing is saved, and the same form goes through once it is.
    payment = PaymentInput(method="CASH", idempotency_key="form-key-2")
    with pytest.raises(PaymentError):
        drawer.intake_and_pay(actor=alice, destination_branch=branch_b, payment=payment, **INTAKE)
    assert not Package.objects.exists()
    drawer.drawer_open(actor=alice, opening_float=Decimal("0"))
    _package, created = drawer.intake_and_pay(
        actor=alice, destination_branch=branch_b, payment=payment, **INTAKE
    )
    assert created and Package.objects.get().intake_key == "form-key-2"


def test_a_key_from_another_branch_neither_finds_nor_blocks_this_branchs_parcel(
    alice, charlie, branch_a, branch_b
):
    # The key comes back from the browser: another branch sending the same one gets its own parcel
    # and never learns about ours.
    drawer.drawer_open(actor=alice, opening_float=Decimal("0"))
    drawer.drawer_open(actor=charlie, opening_float=Decimal("0"))
    payment = PaymentInput(method="CASH", idempotency_key="shared-key")
    ours, _ = drawer.intake_and_pay(actor=alice, destination_branch=branch_b, payment=payment, **INTAKE)
    theirs, created = drawer.intake_and_pay(
        actor=charlie, destination_branch=branch_a, payment=payment, **INTAKE
    )
    assert created and theirs.pk != ours.pk
    assert theirs.origin_branch_id == branch_b.pk and ours.origin_branch_id == branch_a.pk
