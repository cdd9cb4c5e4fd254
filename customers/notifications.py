"""Telling customers about their parcels: pick the template, the channel and the contact, render."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from customers import rendering
from customers.defaults import DEFAULTS
from customers.models import NotificationTemplate
from packages_app.lifecycle import Status
from packages_app.partner_events import HOLD_REMINDER, READY_FOR_PICKUP, RETURNED

SMS, EMAIL = "sms", "email"
# Which status a notification still makes sense in (else it is skipped when its turn comes).
STILL_TRUE_IN = {READY_FOR_PICKUP: {Status.READY_FOR_PICKUP}, HOLD_REMINDER: {Status.READY_FOR_PICKUP}}


class NoContactError(Exception):
    """The package has neither a phone nor an e-mail for the person to tell."""


@dataclass(frozen=True)
class Message:
    channel: str
    to: str
    subject: str
    text: str
    html: str


def public_base_url() -> str:
    """PUBLIC_BASE_URL, else the site's first host name (the one customers reach)."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL.rstrip("/")
    host = next((h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")), "localhost")
    return f"http://{host}:{settings.PORT}" if settings.DEBUG else f"https://{host}"


def hold_date(package):
    """The day a ready package is kept until (issue 4 sets hold_until; else HOLD_DAYS from now)."""
    if package.hold_until:
        return package.hold_until
    since = package.status_changed_at or timezone.now()
    return (since + timedelta(days=getattr(settings, "HOLD_DAYS", 14))).date()


def template_for(event: str, language: str = "") -> dict:
    """The admin's template for (event, language), else the default language's, else the default."""
    wanted = [language, settings.NOTIFICATION_DEFAULT_LANGUAGE]
    rows = {
        t.language: t
        for t in NotificationTemplate.objects.filter(event=event, language__in=[w for w in wanted if w])
    }
    for lang in wanted:
        if lang in rows:
            t = rows[lang]
            return {"subject": t.subject, "text": t.text, "html": t.html}
    return DEFAULTS[event]


def contact(package, event: str) -> tuple[str, str, str]:
    """(channel, address, name): SMS when there is a phone, else e-mail. Returns go to the sender."""
    if event == RETURNED:
        name, phone, email = package.sender_name, package.sender_phone, package.sender_email
    else:
        name, phone, email = package.recipient_name, package.recipient_phone, package.recipient_email
    if phone.strip():
        return SMS, phone.strip(), name
    if email.strip():
        return EMAIL, email.strip(), name
    raise NoContactError(f"no phone or e-mail to send the {event} notice to")


def build(package, event: str, *, language: str = "") -> Message:
    channel, to, name = contact(package, event)
    # Where the package waits: the branch responsible for it now.
    branch = package.branch
    context = {
        "tracking_number": package.tracking_number,
        "name": name,
        "status": package.get_status_display(),
        "branch_name": branch.name,
        "branch_city": branch.city,
        "branch_address": " ".join(branch.address.split()),
        "opening_hours": branch.opening_hours,
        "hold_until": hold_date(package).isoformat() if event != RETURNED else "",
        "track_url": public_base_url() + reverse("customers:track", args=[package.tracking_number]),
    }
    template = template_for(event, language)
    return Message(
        channel=channel,
        to=to,
        subject=rendering.render_text(template["subject"], context),
        text=rendering.render_text(template["text"], context),
        html=rendering.render_html(template["html"], context) if channel == EMAIL else "",
    )


def still_relevant(package, event: str) -> bool:
    statuses = STILL_TRUE_IN.get(event)
    return statuses is None or package.status in statuses
