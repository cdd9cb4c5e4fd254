"""Outbox handlers for the customer-facing topics: tracking pushes and notifications."""

import logging

from branch_courier.integrations.http import PartnerError
from branch_courier.integrations.notification import NotificationClient
from branch_courier.integrations.tracking import TrackingClient
from customers import notifications
from outbox.handlers import register
from packages_app.models import Package
from packages_app.partner_events import TOPIC_NOTIFICATION, TOPIC_TRACKING

logger = logging.getLogger(__name__)


@register(TOPIC_TRACKING)
def push_tracking_event(message) -> str:
    TrackingClient().push_event(event=message.payload, idempotency_key=message.key)
    return ""


@register(TOPIC_NOTIFICATION)
def send_notification(message) -> str:
    """Render and send one notice; returns a note when there was nothing (left) to send."""
    event = message.payload["event"]
    package = Package.objects.select_related("branch").filter(pk=message.payload["package_id"]).first()
    if package is None:
        return "skipped: the package no longer exists"
    if not notifications.still_relevant(package, event):
        return f"skipped: package is {package.get_status_display()} now"
    try:
        built = notifications.build(package, event)
    except notifications.NoContactError as exc:
        raise PartnerError("notification service", str(exc), retryable=False) from None
    NotificationClient().send(
        channel=built.channel,
        to=built.to,
        subject=built.subject,
        text=built.text,
        html=built.html,
        idempotency_key=message.key,
    )
    return ""
