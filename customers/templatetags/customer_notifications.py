"""{% package_notifications package %}: the notices about one package and their state (one query)."""

from django import template

from outbox.models import OutboxMessage
from packages_app.partner_events import TOPIC_NOTIFICATION, subject_of

register = template.Library()

EVENT_LABELS = {
    "ready_for_pickup": "Ready for pickup",
    "hold_reminder": "Hold reminder",
    "returned": "Returned to sender",
}
STATE = {
    OutboxMessage.Status.PENDING: ("queued", "Queued"),
    OutboxMessage.Status.SENDING: ("queued", "Sending"),
    OutboxMessage.Status.SENT: ("sent", "Sent"),
    OutboxMessage.Status.DEAD: ("failed", "Failed"),
}


@register.inclusion_tag("customers/_package_notifications.html")
def package_notifications(package, limit: int = 20):
    messages = OutboxMessage.objects.filter(subject=subject_of(package), topic=TOPIC_NOTIFICATION).order_by(
        "-created_at", "-id"
    )[:limit]
    rows = []
    for m in messages:
        css, state = STATE[m.status]
        skipped = m.status == OutboxMessage.Status.SENT and m.last_error.startswith("skipped")
        rows.append(
            {
                "event": EVENT_LABELS.get(m.payload.get("event"), m.payload.get("event", "")),
                "state": "Skipped" if skipped else state,
                "css": "skipped" if skipped else css,
                "attempts": m.attempts,
                "created_at": m.created_at,
                "sent_at": m.sent_at,
                # Service and reason only (no personal data is ever written there).
                "detail": m.last_error,
            }
        )
    return {"notifications": rows}
