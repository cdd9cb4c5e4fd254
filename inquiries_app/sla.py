"""SLA arithmetic: the due time of an inquiry and how waiting on the customer pauses the clock.

Pure functions on an inquiry's fields; services call them inside their transactions. The hours per
priority live in SlaPolicy rows (editable in admin); DEFAULT_HOURS applies when a row is missing.
"""

from datetime import datetime, timedelta

from inquiries_app.lifecycle import CLOCK_RUNS, Status

DEFAULT_HOURS = {"LOW": 72, "NORMAL": 48, "HIGH": 24, "URGENT": 4}


def hours_for(priority: str) -> int:
    from inquiries_app.models import SlaPolicy

    hours = SlaPolicy.objects.filter(priority=priority).values_list("hours", flat=True).first()
    return hours if hours is not None else DEFAULT_HOURS[priority]


def due_at(*, start: datetime, priority: str) -> datetime:
    """When an inquiry that starts (or restarts, on reopen) at `start` must be resolved."""
    return start + timedelta(hours=hours_for(priority))


def pause(inquiry, *, now: datetime) -> None:
    """Stop the clock: the inquiry waits on the customer from `now`."""
    inquiry.paused_at = now


def resume(inquiry, *, now: datetime) -> timedelta:
    """Restart the clock: the due time moves by the time spent waiting. Returns that time."""
    if inquiry.paused_at is None:
        return timedelta(0)
    waited = max(now - inquiry.paused_at, timedelta(0))
    inquiry.due_at += waited
    inquiry.paused_seconds += int(waited.total_seconds())
    inquiry.paused_at = None
    return waited


def is_overdue(inquiry, *, now: datetime) -> bool:
    """Late while the clock runs; a paused, resolved or closed inquiry is never overdue."""
    return inquiry.status in CLOCK_RUNS and inquiry.due_at < now


def time_left(inquiry, *, now: datetime) -> timedelta | None:
    """Time until due (negative when late); frozen while waiting; None once resolved."""
    if inquiry.status == Status.WAITING_ON_CUSTOMER and inquiry.paused_at is not None:
        return inquiry.due_at - inquiry.paused_at
    if inquiry.status in CLOCK_RUNS:
        return inquiry.due_at - now
    return None
