"""Writes to packages: intake, status transitions (dispatch, receive, hold, release, cancel…), labels.

Each function runs in one transaction, re-reads the package with select_for_update() so two clerks
racing on one package cannot both win, writes a PackageEvent and an audit record alongside.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from branch_courier.accounts.models import Branch
from packages_app import lifecycle, partner_events, s10, selectors
from packages_app.lifecycle import Status, TransitionError
from packages_app.models import Package, PackageEvent, phone_digits
from packages_app.tariffs import quote_fee

__all__ = ["TransitionError"]


def actor_role(actor) -> str:
    # Admins acting through Django admin count as supervisors.
    if getattr(actor, "is_superuser", False):
        return lifecycle.SUPERVISOR
    return getattr(actor, "role", "")


def ensure_responsible(actor, package: Package) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if not getattr(actor, "works_counter", False):
        raise TransitionError("Only clerks and supervisors of a branch can change packages.")
    if package.branch_id != actor.branch_id:
        raise TransitionError(
            f"{package.tracking_number} is the responsibility of branch {package.branch.code}, not yours."
        )


def _event(
    *, package: Package, actor, kind=PackageEvent.Kind.STATUS, from_status="", reason_code="", note=""
):
    event = PackageEvent.objects.create(
        package=package,
        kind=kind,
        status=package.status,
        from_status=from_status,
        branch_id=getattr(actor, "branch_id", None) or package.branch_id,
        actor=actor,
        at=timezone.now(),
        reason_code=reason_code,
        note=note[:500],
    )
    _announce([event])
    return event


def _announce(events: list[PackageEvent]) -> None:
    """What follows every written event: tracking pushes, customer notifications and the public
    cache (queued in this same transaction), and the dashboards that count the package."""
    for event in events:
        partner_events.on_package_event(event)
    selectors.forget_dashboards(events)


@dataclass(frozen=True)
class Party:
    name: str
    phone: str
    address: str
    email: str = ""


@transaction.atomic
def package_intake(
    *,
    actor,
    sender: Party,
    recipient: Party,
    destination_branch: Branch,
    service: str,
    weight_grams: int,
    declared_value: Decimal = Decimal("0.00"),
    cod_amount: Decimal | None = None,
    length_cm: int | None = None,
    width_cm: int | None = None,
    height_cm: int | None = None,
    intake_key: str | None = None,
) -> Package:
    """Take a package in at the actor's branch: number it, price it, start its timeline.

    `intake_key` (the form's one-time key) is unique per origin branch: a second intake with it at
    the same branch fails the insert.
    """
    if not getattr(actor, "works_counter", False):
        raise TransitionError("Only clerks and supervisors of a branch can take packages in.")
    if not destination_branch.is_active:
        raise TransitionError(f"Branch {destination_branch.code} is closed and cannot receive packages.")
    now = timezone.now()
    package = Package(
        tracking_number=s10.next_tracking_number(),
        status=Status.RECEIVED,
        status_changed_at=now,
        service=service,
        origin_branch_id=actor.branch_id,
        destination_branch=destination_branch,
        branch_id=actor.branch_id,
        sender_name=sender.name,
        sender_phone=sender.phone,
        sender_email=sender.email,
        sender_address=sender.address,
        recipient_name=recipient.name,
        recipient_phone=recipient.phone,
        recipient_phone_digits=phone_digits(recipient.phone),
        recipient_email=recipient.email,
        recipient_address=recipient.address,
        weight_grams=weight_grams,
        length_cm=length_cm,
        width_cm=width_cm,
        height_cm=height_cm,
        declared_value=declared_value,
        fee=quote_fee(service=service, weight_grams=weight_grams),
        cod_amount=cod_amount or None,
        created_by=actor,
        created_at=now,
        updated_at=now,
        intake_key=intake_key or None,
    )
    # Uniqueness of intake_key is the database's to decide (see drawer.intake_and_pay), not a query.
    package.full_clean(validate_unique=False)
    package.save()
    _event(package=package, actor=actor)
    # No names, phones or addresses in the audit trail: the package row holds them.
    audit_record(
        action="package.intake",
        actor=actor,
        obj=package,
        changes={
            "status": Status.RECEIVED,
            "destination": destination_branch.code,
            "service": service,
            "weight_grams": weight_grams,
            "fee": str(package.fee),
        },
    )
    return package


@transaction.atomic
def package_transition(
    *,
    package: Package,
    to_status: str,
    actor,
    reason_code: str = "",
    note: str = "",
    to_branch: Branch | None = None,
    hold_until: date | None = None,
) -> Package:
    """Move a package along the lifecycle (lifecycle.TRANSITIONS); TransitionError says why not."""
    # No select_related here: with a join, PostgreSQL re-checks the join against the row a racing
    # transaction just committed (say, a dispatch that changed branch_id) and finds nothing.
    locked = Package.objects.select_for_update().get(pk=package.pk)
    if locked.branch_id == package.branch_id and Package.branch.is_cached(package):
        locked.branch = package.branch  # the caller's copy, saves a query
    ensure_responsible(actor, locked)
    move(
        locked=locked,
        to_status=to_status,
        actor=actor,
        role=actor_role(actor),
        reason_code=reason_code,
        note=note,
        to_branch=to_branch,
        hold_until=hold_until,
    )
    return locked


def pickup_deadline() -> date:
    """How long a package waits at the counter before it goes back (settings.HOLD_DAYS)."""
    return timezone.localdate() + timedelta(days=settings.HOLD_DAYS)


def apply(
    *,
    locked: Package,
    to_status: str,
    role: str,
    reason_code: str = "",
    to_branch: Branch | None = None,
    hold_until: date | None = None,
    now=None,
) -> dict:
    """Check one edge against the table and change the (locked, unsaved) row; the audit changes.

    The single-package and the bulk (manifest) paths both go through here, so the rules about
    branches, holds and pickup deadlines live in one place.
    """
    source = locked.status
    edge = lifecycle.check(
        source=source, target=to_status, role=role, status_before_hold=locked.status_before_hold
    )
    if edge.needs_reason and not reason_code:
        raise TransitionError(f"Give a reason to {edge.verb.lower()}.")
    changes = {"status": {"from": source, "to": to_status}}

    if to_status == Status.IN_TRANSIT:
        to_branch = to_branch or (locked.origin_branch if locked.is_return else locked.destination_branch)
        if to_branch.pk == locked.branch_id:
            raise TransitionError(
                f"The package is already at {to_branch.code}; dispatch it to another branch."
            )
        if not to_branch.is_active:
            raise TransitionError(f"Branch {to_branch.code} is closed.")
        changes["branch"] = {"from": locked.branch.code, "to": to_branch.code}
        locked.branch = to_branch
    if to_status == Status.ON_HOLD:
        locked.status_before_hold = source
        locked.hold_until = hold_until
    elif source == Status.ON_HOLD:
        locked.status_before_hold = ""
        locked.hold_until = None
    if to_status == Status.READY_FOR_PICKUP:
        # The pickup clock (re)starts whenever a package lands on the counter shelf.
        locked.hold_until = pickup_deadline()
        changes["hold_until"] = locked.hold_until
    elif source == Status.READY_FOR_PICKUP:
        locked.hold_until = None
    if to_status == Status.RETURN_TO_SENDER:
        locked.is_return = True

    now = now or timezone.now()
    locked.status = to_status
    locked.status_changed_at = now
    locked.updated_at = now
    return changes


def move(
    *,
    locked: Package,
    to_status: str,
    actor,
    role: str,
    reason_code: str = "",
    note: str = "",
    to_branch: Branch | None = None,
    hold_until: date | None = None,
    audit_action: str = "",
) -> Package:
    """apply() one edge to a locked package, save it, write its event and audit record."""
    source = locked.status
    changes = apply(
        locked=locked,
        to_status=to_status,
        role=role,
        reason_code=reason_code,
        to_branch=to_branch,
        hold_until=hold_until,
    )
    locked.save()
    _event(package=locked, actor=actor, from_status=source, reason_code=reason_code, note=note)
    audit_record(
        action=audit_action or f"package.{to_status.lower()}",
        actor=actor,
        obj=locked,
        changes={**changes, **({"reason": reason_code} if reason_code else {})},
    )
    return locked


BULK_FIELDS = [
    "status",
    "branch",
    "status_before_hold",
    "hold_until",
    "is_return",
    "status_changed_at",
    "updated_at",
]


def bulk_move(
    *,
    packages: list[Package],
    targets: dict[int, str],
    actor,
    to_branch: Branch | None = None,
    reason_code: str = "",
    note: str = "",
) -> list[PackageEvent]:
    """Move many locked packages (manifest dispatch and receipt) in a fixed number of queries.

    Every package still goes through apply() and the one transition table; the caller holds the
    row locks and writes one audit record for the whole batch. TransitionError names the package.
    """
    now = timezone.now()
    role = actor_role(actor)
    events = []
    for package in packages:
        source = package.status
        try:
            apply(
                locked=package,
                to_status=targets[package.pk],
                role=role,
                reason_code=reason_code,
                to_branch=to_branch,
                now=now,
            )
        except TransitionError as exc:
            raise TransitionError(f"{package.tracking_number}: {exc}") from exc
        events.append(
            PackageEvent(
                package=package,
                status=package.status,
                from_status=source,
                branch_id=getattr(actor, "branch_id", None) or package.branch_id,
                actor=actor,
                at=now,
                reason_code=reason_code,
                note=note[:500],
            )
        )
    # Rows that end up with the same values (the usual case: a whole manifest) share one UPDATE;
    # bulk_update's CASE per row is several times slower for 500 rows.
    groups: dict[tuple, list[int]] = {}
    for package in packages:
        key = tuple(getattr(package, f if f != "branch" else "branch_id") for f in BULK_FIELDS)
        groups.setdefault(key, []).append(package.pk)
    for key, ids in groups.items():
        values = dict(zip([f if f != "branch" else "branch_id" for f in BULK_FIELDS], key, strict=True))
        Package.objects.filter(pk__in=ids).update(**values)
    return bulk_events(events)


def bulk_events(events: list[PackageEvent]) -> list[PackageEvent]:
    """Insert timeline rows in one statement per 500 and queue what partners hear about them."""
    created = PackageEvent.objects.bulk_create(events, batch_size=500)
    _announce(created)
    return created


def package_dispatch(*, package: Package, actor, to_branch: Branch | None = None) -> Package:
    return package_transition(package=package, to_status=Status.IN_TRANSIT, actor=actor, to_branch=to_branch)


def receive_target(package: Package) -> str:
    """Where a package in transit lands when the branch it is heading to checks it in."""
    if package.is_return and package.branch_id == package.origin_branch_id:
        return Status.RETURN_TO_SENDER  # back home, waiting for the sender to collect it
    if not package.is_return and package.branch_id == package.destination_branch_id:
        return Status.READY_FOR_PICKUP
    return Status.ARRIVED


def package_receive(*, package: Package, actor) -> Package:
    """Check a package in at the actor's branch (the scan station's main action)."""
    if package.status != Status.IN_TRANSIT:
        raise TransitionError(
            f"{package.tracking_number} is {lifecycle.label(package.status)}, "
            "not in transit: nothing to check in."
        )
    return package_transition(package=package, to_status=receive_target(package), actor=actor)


def package_hold(*, package: Package, actor, reason_code: str, note: str = "", hold_until=None) -> Package:
    return package_transition(
        package=package,
        to_status=Status.ON_HOLD,
        actor=actor,
        reason_code=reason_code,
        note=note,
        hold_until=hold_until,
    )


def package_release(*, package: Package, actor, note: str = "") -> Package:
    if package.status != Status.ON_HOLD:
        raise TransitionError(f"{package.tracking_number} is not on hold.")
    return package_transition(package=package, to_status=package.status_before_hold, actor=actor, note=note)


@transaction.atomic
def package_cancel(*, package: Package, actor, reason_code: str, note: str = "") -> Package:
    """Cancel before dispatch; a fee paid at intake goes back to the sender from the drawer."""
    from packages_app import drawer  # drawer imports this module

    package = package_transition(
        package=package, to_status=Status.CANCELLED, actor=actor, reason_code=reason_code, note=note
    )
    drawer.refund_fee(package=package, actor=actor)
    return package


@transaction.atomic
def package_label_printed(*, package: Package, actor, label_format: str) -> PackageEvent:
    """Record a label print (first print or reprint) on the timeline and in the audit trail."""
    locked = Package.objects.select_for_update().get(pk=package.pk)
    previous = locked.events.filter(kind=PackageEvent.Kind.LABEL).count()
    note = f"{label_format} label" + (f", reprint #{previous}" if previous else "")
    event = _event(package=locked, actor=actor, kind=PackageEvent.Kind.LABEL, note=note)
    audit_record(
        action="package.label_printed",
        actor=actor,
        obj=locked,
        changes={"format": label_format, "reprint": previous},
    )
    return event
