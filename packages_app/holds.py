"""Expiring pickup holds: packages not collected by hold_until go back to their sender."""

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from packages_app import lifecycle, services
from packages_app.lifecycle import Status
from packages_app.models import Package, ReasonCode


@dataclass
class ExpiryResult:
    due: int = 0
    moved: int = 0
    skipped: int = 0  # locked by another run or changed meanwhile


def expired_holds():
    return Package.objects.filter(status=Status.READY_FOR_PICKUP, hold_until__lt=timezone.localdate())


def expire_holds(*, dry_run: bool = False, batch_size: int = 200, progress=None) -> ExpiryResult:
    """Move expired holds to RETURN_TO_SENDER in small transactions; safe to run twice at once.

    Each package is locked and re-checked in its own transaction: on PostgreSQL a row another run
    holds is skipped (SKIP LOCKED) rather than waited for; elsewhere the re-check finds it moved.
    """
    ids = list(expired_holds().order_by("pk").values_list("pk", flat=True))
    result = ExpiryResult(due=len(ids))
    if dry_run:
        return result
    skip_locked = connection.features.has_select_for_update_skip_locked
    for start in range(0, len(ids), batch_size):
        for pk in ids[start : start + batch_size]:
            with transaction.atomic():
                # No join here: FOR UPDATE would lock the branch row too and make the other run
                # skip every package of that branch.
                locked = expired_holds().select_for_update(skip_locked=skip_locked).filter(pk=pk).first()
                if locked is None:
                    result.skipped += 1
                    continue
                services.move(
                    locked=locked,
                    to_status=Status.RETURN_TO_SENDER,
                    actor=None,
                    role=lifecycle.SYSTEM,
                    reason_code=ReasonCode.HOLD_EXPIRED,
                    note=f"Not collected by {locked.hold_until}",
                    audit_action="package.hold_expired",
                )
                result.moved += 1
        if progress:
            progress(min(start + batch_size, len(ids)), len(ids))
    return result
