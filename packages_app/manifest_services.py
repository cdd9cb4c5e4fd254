"""Writes to manifests: open, scan in, remove, seal, dispatch, receive (scan + reconcile), found/lost.

Every status change of a package goes through services.apply()/move() and the one transition table.
The manifest row is locked (select_for_update) by every write, so two clerks finishing one receipt
or dispatching one manifest cannot both succeed; a partial unique index keeps a package on at most
one manifest that has not left yet.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from branch_courier.accounts.models import Branch
from packages_app import lifecycle, s10, services
from packages_app.lifecycle import Status, TransitionError
from packages_app.models import Manifest, ManifestItem, Package, PackageEvent, ReasonCode

State = Manifest.State
Outcome = ManifestItem.Outcome


def _counter(actor) -> None:
    if not getattr(actor, "works_counter", False):
        raise TransitionError("Only clerks and supervisors of a branch handle manifests.")


def _lock(manifest: Manifest) -> Manifest:
    return Manifest.objects.select_for_update().get(pk=manifest.pk)


def _number(code: str) -> str:
    try:
        return s10.validate(code)
    except s10.TrackingNumberError as exc:
        raise TransitionError(str(exc)) from exc


def is_dispatchable(package: Package) -> bool:
    return lifecycle.edge_for(package.status, Status.IN_TRANSIT) is not None


@transaction.atomic
def manifest_open(*, actor, destination_branch: Branch) -> Manifest:
    _counter(actor)
    if destination_branch.pk == actor.branch_id:
        raise TransitionError("A manifest goes to another branch; choose where the bag is going.")
    if not destination_branch.is_active:
        raise TransitionError(f"Branch {destination_branch.code} is closed.")
    manifest = Manifest.objects.create(
        origin_branch_id=actor.branch_id,
        destination_branch=destination_branch,
        created_by=actor,
        created_at=timezone.now(),
    )
    audit_record(action="manifest.open", actor=actor, obj=manifest, changes={"to": destination_branch.code})
    return manifest


def _editable(manifest: Manifest, actor) -> Manifest:
    locked = _lock(manifest)
    if locked.origin_branch_id != actor.branch_id:
        raise TransitionError("Only the sending branch changes a manifest.")
    if locked.state != State.OPEN:
        raise TransitionError(
            f"Manifest {locked.number} is {locked.get_state_display().lower()}; it cannot change."
        )
    return locked


@transaction.atomic
def manifest_add(*, manifest: Manifest, actor, code: str) -> ManifestItem:
    """Scan one package into an open manifest (the hot path: a handful of indexed statements)."""
    _counter(actor)
    number = _number(code)
    locked = _editable(manifest, actor)
    # Locking the package serialises two clerks scanning it into two manifests at once.
    package = Package.objects.select_for_update().filter(tracking_number=number).first()
    if package is None:
        raise TransitionError(f"{number} is not a known package.")
    if package.branch_id != actor.branch_id:
        raise TransitionError(f"{number} is not at this branch — set it aside.")
    if not is_dispatchable(package):
        raise TransitionError(f"{number} is {lifecycle.label(package.status)} and cannot be dispatched.")
    other = (
        ManifestItem.objects.filter(package=package, in_open_manifest=True)
        .values_list("manifest_id", flat=True)
        .first()
    )
    if other == locked.pk:
        raise TransitionError(f"{number} is already in this manifest.")
    if other is not None:
        raise TransitionError(f"{number} is already in manifest {Manifest(pk=other).number}.")
    try:
        with transaction.atomic():
            item = ManifestItem.objects.create(
                manifest=locked, package=package, added_by=actor, added_at=timezone.now()
            )
    except IntegrityError as exc:  # the partial unique index: someone else won the race
        raise TransitionError(f"{number} was just put in another manifest.") from exc
    audit_record(action="manifest.add", actor=actor, obj=locked, changes={"package": number})
    return item


@transaction.atomic
def manifest_remove(*, manifest: Manifest, actor, item_id: int) -> Package:
    _counter(actor)
    locked = _editable(manifest, actor)
    item = ManifestItem.objects.select_related("package").filter(manifest=locked, pk=item_id).first()
    if item is None:
        raise TransitionError("That package is not in this manifest.")
    item.delete()
    audit_record(
        action="manifest.remove", actor=actor, obj=locked, changes={"package": item.package.tracking_number}
    )
    return item.package


@transaction.atomic
def manifest_seal(*, manifest: Manifest, actor) -> Manifest:
    _counter(actor)
    locked = _editable(manifest, actor)
    count = locked.items.count()
    if not count:
        raise TransitionError("Scan at least one package before sealing the manifest.")
    locked.state = State.SEALED
    locked.sealed_at = timezone.now()
    locked.expected_count = count
    locked.save(update_fields=["state", "sealed_at", "expected_count"])
    audit_record(action="manifest.seal", actor=actor, obj=locked, changes={"items": count})
    return locked


@transaction.atomic
def manifest_dispatch(*, manifest: Manifest, actor) -> Manifest:
    """All packages IN_TRANSIT, the receiving branch responsible: one event each, one audit record."""
    _counter(actor)
    locked = _lock(manifest)
    if locked.origin_branch_id != actor.branch_id:
        raise TransitionError("Only the sending branch dispatches a manifest.")
    if locked.state != State.SEALED:
        raise TransitionError(
            f"Manifest {locked.number} is {locked.get_state_display().lower()}; seal it first."
        )
    destination = Branch.objects.get(pk=locked.destination_branch_id)
    package_ids = list(locked.items.values_list("package_id", flat=True))
    packages = list(Package.objects.select_for_update().filter(pk__in=package_ids).order_by("pk"))
    for package in packages:
        if package.branch_id != actor.branch_id:
            raise TransitionError(f"{package.tracking_number} is no longer at this branch; remove it first.")
    branches = {actor.branch_id: actor.branch}
    for package in packages:
        package.branch = branches[package.branch_id]  # apply() reads branch.code; no query per row
    services.bulk_move(
        packages=packages,
        targets={p.pk: Status.IN_TRANSIT for p in packages},
        actor=actor,
        to_branch=destination,
        note=f"Manifest {locked.number}",
    )
    ManifestItem.objects.filter(manifest=locked).update(in_open_manifest=False)
    locked.state = State.DISPATCHED
    locked.dispatched_at = timezone.now()
    locked.dispatched_by = actor
    locked.expected_count = len(packages)
    locked.save(update_fields=["state", "dispatched_at", "dispatched_by", "expected_count"])
    audit_record(
        action="manifest.dispatch",
        actor=actor,
        obj=locked,
        changes={"to": destination.code, "packages": [p.tracking_number for p in packages]},
    )
    return locked


# --- Receiving --------------------------------------------------------------------------------


@dataclass
class ReceiveScan:
    item: ManifestItem
    extra: bool
    message: str


def _receivable(manifest: Manifest, actor) -> Manifest:
    locked = _lock(manifest)
    if locked.destination_branch_id != actor.branch_id:
        raise TransitionError("Only the receiving branch receives a manifest.")
    if locked.state == State.RECEIVED:
        raise TransitionError(f"Manifest {locked.number} has already been received.")
    if locked.state != State.DISPATCHED:
        raise TransitionError(f"Manifest {locked.number} has not been dispatched yet.")
    return locked


def _extra_problem(package: Package, manifest: Manifest) -> str:
    """Why a package found in the bag but not on the list cannot be taken in ('' if it can)."""
    if package.status == Status.IN_TRANSIT:
        return ""
    if package.branch_id == manifest.origin_branch_id and is_dispatchable(package):
        return ""
    return f"{package.tracking_number} is {lifecycle.label(package.status)}; set it aside for a supervisor."


@transaction.atomic
def manifest_receive_scan(*, manifest: Manifest, actor, code: str) -> ReceiveScan:
    _counter(actor)
    number = _number(code)
    locked = _receivable(manifest, actor)
    now = timezone.now()
    if locked.receiving_started_at is None:
        locked.receiving_started_at = now
        locked.save(update_fields=["receiving_started_at"])
    item = ManifestItem.objects.filter(manifest=locked, package__tracking_number=number).first()
    if item is not None:
        if item.scanned_at:
            raise TransitionError(f"{number} was already scanned — repeat scan.")
        item.scanned_at = now
        item.save(update_fields=["scanned_at"])
        audit_record(action="manifest.receive_scan", actor=actor, obj=locked, changes={"package": number})
        return ReceiveScan(item=item, extra=False, message=f"{number} checked against the manifest.")
    package = Package.objects.filter(tracking_number=number).first()
    if package is None:
        raise TransitionError(f"{number} is not a known package.")
    problem = _extra_problem(package, locked)
    if problem:
        raise TransitionError(problem)
    item = ManifestItem.objects.create(
        manifest=locked,
        package=package,
        added_by=actor,
        added_at=now,
        scanned_at=now,
        in_open_manifest=False,
        outcome=Outcome.EXTRA,
    )
    audit_record(action="manifest.extra", actor=actor, obj=locked, changes={"package": number})
    return ReceiveScan(item=item, extra=True, message=f"{number} is not on this manifest: recorded as extra.")


@transaction.atomic
def manifest_receive_finish(*, manifest: Manifest, actor) -> Manifest:
    """Reconcile: scanned → received here, unscanned → missing (an event each), extras taken in."""
    _counter(actor)
    locked = _receivable(manifest, actor)
    here = Branch.objects.get(pk=actor.branch_id)
    items = list(locked.items.all())
    packages = {
        p.pk: p for p in Package.objects.select_for_update().filter(pk__in=[i.package_id for i in items])
    }
    for package in packages.values():
        package.branch = here if package.branch_id == here.pk else Branch.objects.get(pk=package.branch_id)
    note = f"Manifest {locked.number}"
    received, missing, extra_at_origin = [], [], []
    for item in items:
        package = packages[item.package_id]
        if item.outcome == Outcome.EXTRA:
            if _extra_problem(package, locked):
                raise TransitionError(_extra_problem(package, locked))
            if package.status == Status.IN_TRANSIT:
                package.branch = here  # rerouted: it is here now, whatever it was heading for
            else:
                extra_at_origin.append(package)
            received.append(package)
            item.outcome = Outcome.EXTRA
        elif item.scanned_at and package.status == Status.IN_TRANSIT and package.branch_id == here.pk:
            received.append(package)
            item.outcome = Outcome.RECEIVED
        elif item.scanned_at:
            item.outcome = Outcome.RECEIVED  # it moved on by other means (e.g. declared lost) meanwhile
        else:
            missing.append(package)
            item.outcome = Outcome.MISSING
    if extra_at_origin:
        # Put in the bag without being listed: it did travel, so its timeline says so.
        services.bulk_move(
            packages=extra_at_origin,
            targets={p.pk: Status.IN_TRANSIT for p in extra_at_origin},
            actor=actor,
            to_branch=here,
            note=f"{note}: travelled without being listed",
        )
    services.bulk_move(
        packages=received,
        targets={p.pk: services.receive_target(p) for p in received},
        actor=actor,
        note=note,
    )
    now = timezone.now()
    services.bulk_events(
        [
            PackageEvent(
                package=p,
                status=p.status,
                from_status=p.status,
                branch=here,
                actor=actor,
                at=now,
                reason_code=ReasonCode.MISSING,
                note=f"{note}: expected but not in the bag",
            )
            for p in missing
        ]
    )
    ManifestItem.objects.bulk_update(items, ["outcome"], batch_size=500)
    extras = sum(1 for i in items if i.outcome == Outcome.EXTRA)
    locked.state = State.RECEIVED
    locked.received_at = now
    locked.received_by = actor
    locked.received_count = len(items) - len(missing) - extras
    locked.missing_count = len(missing)
    locked.extra_count = extras
    locked.save(
        update_fields=[
            "state",
            "received_at",
            "received_by",
            "received_count",
            "missing_count",
            "extra_count",
        ]
    )
    audit_record(
        action="manifest.receive",
        actor=actor,
        obj=locked,
        changes={
            "received": locked.received_count,
            "missing": [p.tracking_number for p in missing],
            "extra": [i.package_id for i in items if i.outcome == Outcome.EXTRA],
        },
    )
    return locked


def _missing_item(item: ManifestItem, actor) -> ManifestItem:
    if services.actor_role(actor) != lifecycle.SUPERVISOR:
        raise TransitionError("Only supervisors settle missing packages.")
    locked = ManifestItem.objects.select_for_update().select_related("manifest").get(pk=item.pk)
    if locked.manifest.destination_branch_id != actor.branch_id:
        raise TransitionError("Only the receiving branch settles its missing packages.")
    if locked.outcome != Outcome.MISSING:
        raise TransitionError("That package is not listed as missing any more.")
    return locked


@transaction.atomic
def manifest_item_found(*, item: ManifestItem, actor) -> Package:
    """A missing package turned up after all: check it in here as if it had been scanned."""
    locked = _missing_item(item, actor)
    package = services.package_receive(package=Package.objects.get(pk=locked.package_id), actor=actor)
    locked.outcome = Outcome.FOUND
    locked.save(update_fields=["outcome"])
    return package


@transaction.atomic
def manifest_item_lost(*, item: ManifestItem, actor, note: str = "") -> Package:
    locked = _missing_item(item, actor)
    package = services.package_transition(
        package=Package.objects.get(pk=locked.package_id),
        to_status=Status.LOST,
        actor=actor,
        reason_code=ReasonCode.MISSING,
        note=note or f"Missing from manifest {locked.manifest.number}",
    )
    locked.outcome = Outcome.LOST
    locked.save(update_fields=["outcome"])
    return package
