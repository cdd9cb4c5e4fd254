"""What partners and customers hear about a package event, queued in the event's own transaction.

services._event() calls on_package_event() for every PackageEvent it writes, so a rolled-back
transition queues nothing and a committed one is never lost (the outbox worker delivers it).
Only ids, statuses, branch codes/cities and times go into the outbox: no names, phones or
addresses (the notification handler reads the contact details from the package when it sends).
"""

from django.conf import settings

from branch_courier.core.cache_forget import forget_after_commit
from outbox.services import enqueue
from packages_app.lifecycle import Status
from packages_app.models import PackageEvent

TOPIC_TRACKING = "tracking.event"
TOPIC_NOTIFICATION = "notification.package"

# Notification events (NotificationTemplate.event) and the statuses that trigger them.
READY_FOR_PICKUP, HOLD_REMINDER, RETURNED = "ready_for_pickup", "hold_reminder", "returned"
NOTIFY_ON_STATUS = {Status.READY_FOR_PICKUP: READY_FOR_PICKUP}


def notice_for(event: PackageEvent) -> str:
    """The notification an event triggers, if any."""
    if event.kind != PackageEvent.Kind.STATUS:
        return ""
    # A return that lands back at its origin waits there for the sender: tell the sender.
    if event.status == Status.RETURN_TO_SENDER and event.from_status == Status.IN_TRANSIT:
        return RETURNED
    return NOTIFY_ON_STATUS.get(event.status, "")


def track_cache_key(tracking_number: str, variant: str = "data") -> str:
    """One cached piece of a package's public tracking (customers): its data or a rendered page."""
    return f"track:v1:{tracking_number}:{variant}"


# What customers.views caches per package: the data, and the page and its htmx fragment as
# rendered with the real-time flag off (0) and on (1).
TRACK_CACHE_VARIANTS = ("data", "page:0", "page:1", "fragment:0", "fragment:1")


def subject_of(package) -> str:
    return f"package:{package.pk}"


def on_package_event(event: PackageEvent) -> None:
    package = event.package
    forget_after_commit(track_cache_key(package.tracking_number, v) for v in TRACK_CACHE_VARIANTS)

    if settings.ENABLE_REAL_TIME_TRACKING:
        enqueue(topic=TOPIC_TRACKING, payload=tracking_payload(event), key=f"tracking-event:{event.pk}")

    notice = notice_for(event)
    if notice:
        notify(package=package, event=notice, key_suffix=str(event.pk))


def notify(*, package, event: str, key_suffix: str):
    """Queue one notification about a package; the same (event, suffix) is queued at most once."""
    return enqueue(
        topic=TOPIC_NOTIFICATION,
        payload={"package_id": package.pk, "event": event},
        key=f"notify:{event}:{package.pk}:{key_suffix}",
        subject=subject_of(package),
    )


def tracking_payload(event: PackageEvent) -> dict:
    branch = event.branch
    return {
        "event_id": event.pk,
        "tracking_number": event.package.tracking_number,
        "kind": event.kind,
        "status": event.status,
        "from_status": event.from_status,
        "branch": branch.code,
        "city": branch.city,
        "at": event.at.isoformat(),
        "reason_code": event.reason_code,
    }
