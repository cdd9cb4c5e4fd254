"""Hold reminders: tell recipients HOLD_REMINDER_DAYS before a ready package's hold date."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from packages_app.lifecycle import Status
from packages_app.models import Package
from packages_app.partner_events import HOLD_REMINDER, notify

BATCH = 500


def due_packages(*, today: date | None = None):
    """Ready packages whose hold ends within HOLD_REMINDER_DAYS (and has not ended yet)."""
    today = today or timezone.localdate()
    last_day = today + timedelta(days=settings.HOLD_REMINDER_DAYS)
    return Package.objects.filter(
        status=Status.READY_FOR_PICKUP, hold_until__gte=today, hold_until__lte=last_day
    ).order_by("pk")


def queue_hold_reminders(*, today: date | None = None, progress=None) -> tuple[int, int]:
    """Queue one reminder per package and hold date; returns (queued, already queued before).

    Idempotent: the outbox key is (package, hold date), so running twice, or concurrently, queues
    each reminder once; a hold extended to a new date earns a new reminder.
    """
    queued = existing = 0
    rows = due_packages(today=today).values_list("pk", "hold_until")
    last_pk = 0
    while True:
        batch = list(rows.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            break
        with transaction.atomic():
            for pk, hold_until in batch:
                message = notify(
                    package=Package(pk=pk), event=HOLD_REMINDER, key_suffix=hold_until.isoformat()
                )
                if message is None:
                    existing += 1
                else:
                    queued += 1
        last_pk = batch[-1][0]
        if progress:
            progress(queued, existing)
    return queued, existing
