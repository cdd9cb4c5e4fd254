"""Retention: the one guarded path by which audit rows older than AUDIT_RETENTION_DAYS leave.

Rows are deleted in batches by id, each batch its own short transaction (no long lock on a table
every request writes to). On PostgreSQL each batch first says `SET LOCAL audit.allow_purge = 'on'`;
the table's trigger (audit/db.py) still refuses any row younger than its own retention. On SQLite
the ORM refuses deletes, so this module uses SQL directly: it is the only code that does.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditLog

TABLE = AuditLog._meta.db_table
# Any constant will do; it only has to be the same for every run of the command.
PURGE_LOCK_KEY = 0x41554449  # "AUDI"


class PurgeLockedError(Exception):
    """Another purge is running (PostgreSQL advisory lock held)."""


@dataclass(frozen=True)
class PurgePlan:
    cutoff: datetime.datetime
    retention_days: int
    expired: int
    kept: int


def purge_cutoff(*, now: datetime.datetime | None = None, days: int | None = None) -> datetime.datetime:
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    return (now or timezone.now()) - datetime.timedelta(days=days)


def purge_plan(*, now: datetime.datetime | None = None) -> PurgePlan:
    cutoff = purge_cutoff(now=now)
    expired = AuditLog.objects.filter(timestamp__lt=cutoff).count()
    kept = AuditLog.objects.filter(timestamp__gte=cutoff).count()
    return PurgePlan(cutoff=cutoff, retention_days=settings.AUDIT_RETENTION_DAYS, expired=expired, kept=kept)


def _delete_batch(cutoff: datetime.datetime, batch_size: int) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Transaction-local: gone at COMMIT or ROLLBACK, never left on a pooled connection.
            cursor.execute("SET LOCAL audit.allow_purge = 'on'")
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE id IN "  # noqa: S608 (table name is ours, values are params)
            f"(SELECT id FROM {TABLE} WHERE timestamp < %s ORDER BY id LIMIT %s)",
            [cutoff, batch_size],
        )
        deleted = cursor.rowcount
        if connection.vendor == "postgresql":
            # Called inside a caller's transaction this block is only a savepoint, and SET LOCAL
            # would last until the outer COMMIT: switch it off again at once.
            cursor.execute("SET LOCAL audit.allow_purge = 'off'")
        return deleted


def purge_expired(
    *,
    cutoff: datetime.datetime,
    batch_size: int = 5000,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Delete every audit row older than `cutoff`; returns how many. Takes a lock on PostgreSQL
    so two runs (cron overlapping a manual one) never fight over the same rows."""
    locked = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [PURGE_LOCK_KEY])
            locked = cursor.fetchone()[0]
        if not locked:
            raise PurgeLockedError("another purge_audit_log is running")
    try:
        total = 0
        while True:
            deleted = _delete_batch(cutoff, batch_size)
            if deleted <= 0:
                return total
            total += deleted
            if on_batch is not None:
                on_batch(total)
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [PURGE_LOCK_KEY])
