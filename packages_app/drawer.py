"""The clerk's cash drawer and counter payments: open/close a session, take fees and COD, refund.

Cash posts to the clerk's open drawer session; card payments go through the payment gateway
(branch_courier.integrations.payment) with an idempotency key, inside the caller's transaction so a
declined or failed charge leaves nothing written.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from audit.services import audit_record
from branch_courier.integrations.http import PartnerError
from branch_courier.integrations.payment import PaymentClient
from packages_app.lifecycle import TransitionError
from packages_app.models import DrawerSession, Package, Payment

Method = Payment.Method
Kind = Payment.Kind


class PaymentError(TransitionError):
    """The card was declined or the gateway failed; the message is for the clerk."""


@dataclass(frozen=True)
class PaymentInput:
    method: str = Method.CASH
    card_token: str = ""
    idempotency_key: str = ""


def card_payments_enabled() -> bool:
    return PaymentClient().configured


def open_drawer_for(user) -> DrawerSession | None:
    return DrawerSession.objects.filter(clerk=user, closed_at__isnull=True).first()


@transaction.atomic
def drawer_open(*, actor, opening_float: Decimal) -> DrawerSession:
    if not getattr(actor, "works_counter", False):
        raise TransitionError("Only clerks and supervisors of a branch have a cash drawer.")
    if opening_float < 0:
        raise TransitionError("The float cannot be negative.")
    try:
        with transaction.atomic():
            session = DrawerSession.objects.create(
                branch_id=actor.branch_id, clerk=actor, opened_at=timezone.now(), opening_float=opening_float
            )
    except IntegrityError as exc:  # drawer_one_open: a second tab or a double click
        raise TransitionError("Your drawer is already open; close it before opening another.") from exc
    audit_record(action="drawer.open", actor=actor, obj=session, changes={"float": opening_float})
    return session


def expected_cash(session: DrawerSession) -> Decimal:
    """Float + cash taken − cash refunded, from the session's payments (one query)."""
    totals = dict(
        session.payments.filter(method=Method.CASH)
        .values("kind")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("kind", "total")
    )
    taken = totals.get(Kind.FEE, Decimal(0)) + totals.get(Kind.COD, Decimal(0))
    return session.opening_float + taken - totals.get(Kind.REFUND, Decimal(0))


@transaction.atomic
def drawer_close(*, session: DrawerSession, actor, counted_cash: Decimal) -> DrawerSession:
    locked = DrawerSession.objects.select_for_update().get(pk=session.pk)
    if locked.clerk_id != actor.pk:
        raise TransitionError("Only the clerk who opened a drawer closes it.")
    if locked.closed_at is not None:
        raise TransitionError("This drawer is already closed.")
    if counted_cash < 0:
        raise TransitionError("The counted cash cannot be negative.")
    locked.expected_cash = expected_cash(locked)
    locked.counted_cash = counted_cash
    locked.closed_at = timezone.now()
    locked.save(update_fields=["expected_cash", "counted_cash", "closed_at"])
    audit_record(
        action="drawer.close",
        actor=actor,
        obj=locked,
        changes={"expected": locked.expected_cash, "counted": counted_cash, "difference": locked.discrepancy},
    )
    return locked


def _locked_drawer(actor) -> DrawerSession:
    session = DrawerSession.objects.select_for_update().filter(clerk=actor, closed_at__isnull=True).first()
    if session is None:
        raise PaymentError("Open your cash drawer first (Drawer → Open) to take or give back cash.")
    return session


@transaction.atomic
def take_payment(*, package: Package, actor, kind: str, amount: Decimal, payment: PaymentInput) -> Payment:
    """Record money in for a package: cash into the drawer, or a card charge through the gateway.

    Runs inside the caller's transaction (intake, handover): PaymentError rolls everything back.
    """
    drawer = None
    charge_id = ""
    if payment.method == Method.CASH:
        drawer = _locked_drawer(actor)
    elif payment.method == Method.CARD:
        client = PaymentClient()
        if not client.configured:
            raise PaymentError("Card payments are not available at this counter; take cash.")
        if not payment.card_token or not payment.idempotency_key:
            raise PaymentError("Swipe or tap the card first (no card token).")
        try:
            result = client.charge(
                amount=amount,
                currency=settings.CURRENCY,
                card_token=payment.card_token,
                reference=f"{package.tracking_number}-{kind}",
                idempotency_key=payment.idempotency_key,
            )
        except PartnerError as exc:
            raise PaymentError(
                "The card terminal could not reach the payment gateway; nothing was charged or saved. "
                "Try again or take cash."
            ) from exc
        if not result.approved:
            reason = f" ({result.reason})" if result.reason else ""
            raise PaymentError(f"The card was declined{reason}; nothing was saved. Try another card or cash.")
        charge_id = result.charge_id
    else:
        raise PaymentError("Choose cash or card.")
    record = Payment.objects.create(
        package=package,
        kind=kind,
        method=payment.method,
        amount=amount,
        drawer=drawer,
        branch_id=actor.branch_id,
        clerk=actor,
        charge_id=charge_id,
        at=timezone.now(),
    )
    # No card token in the audit trail: the charge id is enough to find it at the gateway.
    audit_record(
        action=f"payment.{kind.lower()}",
        actor=actor,
        obj=record,
        changes={"package": package.tracking_number, "method": payment.method, "amount": amount},
    )
    return record


def refund_fee(*, package: Package, actor) -> Payment | None:
    """Give back the fee of a cancelled package in cash from the clerk's drawer (None if unpaid)."""
    paid = package.payments.filter(kind=Kind.FEE).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    refunded = package.payments.filter(kind=Kind.REFUND).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    due = paid - refunded
    if due <= 0:
        return None
    drawer = _locked_drawer(actor)
    record = Payment.objects.create(
        package=package,
        kind=Kind.REFUND,
        method=Method.CASH,
        amount=due,
        drawer=drawer,
        branch_id=actor.branch_id,
        clerk=actor,
        at=timezone.now(),
    )
    audit_record(
        action="payment.refund",
        actor=actor,
        obj=record,
        changes={"package": package.tracking_number, "method": Method.CASH, "amount": due},
    )
    return record


def intake_and_pay(*, payment: PaymentInput, **intake) -> tuple[Package, bool]:
    """Take a package in and its fee in one transaction: a failed payment leaves no package.

    Returns (package, created). The payment's idempotency key doubles as the intake key: the same
    form sent again (a double click, a retry after a lost answer) returns the package it already
    made, created=False, and takes no second fee. Two copies racing each other meet at the intake
    key (unique per origin branch): the loser's transaction rolls back whole and it returns the
    winner's package.
    """
    from packages_app.services import package_intake  # services imports this module

    key = payment.idempotency_key or None
    done = _taken_in_with(key, intake["actor"])
    if done is not None:
        return done, False
    try:
        with transaction.atomic():
            package = package_intake(intake_key=key, **intake)
            if package.fee > 0:
                take_payment(
                    package=package, actor=intake["actor"], kind=Kind.FEE, amount=package.fee, payment=payment
                )
    except IntegrityError:
        done = _taken_in_with(key, intake["actor"])
        if done is None:
            raise
        return done, False
    return package, True


def _taken_in_with(key: str | None, actor) -> Package | None:
    """The package this branch took in with this form key, if any (keys are per origin branch)."""
    if not key:
        return None
    return Package.objects.filter(origin_branch_id=actor.branch_id, intake_key=key).first()
