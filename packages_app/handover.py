"""Handing a package over the counter: to its recipient (DELIVERED) or back to its sender (RETURNED).

Only the last 4 characters of the collector's ID number are ever stored; the form refuses more.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from packages_app import drawer, services
from packages_app.lifecycle import Status, TransitionError
from packages_app.models import Handover, Package


@dataclass(frozen=True)
class Collector:
    name: str
    id_type: str
    id_last4: str


def handover_target(package: Package) -> str:
    """DELIVERED for a recipient at the destination; RETURNED for a sender at the origin."""
    if package.status == Status.RETURN_TO_SENDER and package.branch_id == package.origin_branch_id:
        return Status.RETURNED
    if package.status == Status.READY_FOR_PICKUP:
        return Status.DELIVERED
    return ""


@transaction.atomic
def package_handover(
    *, package: Package, actor, collector: Collector, payment: drawer.PaymentInput | None = None
) -> Handover:
    """Record who collected it, take the COD (recipients only), and close the package's journey."""
    last4 = (collector.id_last4 or "").strip()
    if not (1 <= len(last4) <= 4 and last4.isalnum()):
        raise TransitionError("Record only the last 4 letters or digits of the ID number.")
    locked = Package.objects.select_for_update().get(pk=package.pk)
    services.ensure_responsible(actor, locked)  # before any money changes hands
    target = handover_target(locked)
    if not target:
        raise TransitionError(
            f"{locked.tracking_number} is {locked.get_status_display()}: not ready to hand over."
        )
    cod = locked.cod_amount if target == Status.DELIVERED else None
    if cod:
        drawer.take_payment(
            package=locked,
            actor=actor,
            kind=drawer.Kind.COD,
            amount=Decimal(cod),
            payment=payment or drawer.PaymentInput(),
        )
    services.package_transition(
        package=locked, to_status=target, actor=actor, note=f"Collected by {collector.name}"
    )
    record = Handover.objects.create(
        package=locked,
        collector_name=collector.name.strip()[:120],
        id_type=collector.id_type,
        id_last4=last4.upper(),
        cod_collected=cod,
        branch_id=actor.branch_id,
        handed_over_by=actor,
        at=timezone.now(),
    )
    audit_record(
        action="package.handover",
        actor=actor,
        obj=locked,
        changes={"id_type": collector.id_type, "id_last4": record.id_last4, "cod": cod, "to": target},
    )
    return record
