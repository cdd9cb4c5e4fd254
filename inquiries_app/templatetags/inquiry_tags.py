"""Template filters of the help desk screens."""

from datetime import timedelta

from django import template
from django.utils.html import format_html

from inquiries_app.lifecycle import Status, label

register = template.Library()


@register.filter
def span(value: timedelta | None) -> str:
    """A duration as clerks read it: '2 d 4 h', '3 h 20 min', '12 min'; late times get 'late by'."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = f"{days} d {hours} h"
    elif hours:
        text = f"{hours} h {minutes} min"
    else:
        text = f"{minutes} min"
    return f"late by {text}" if late else text


@register.filter
def inquiry_status(inquiry) -> str:
    """The status badge, flagged Overdue or SLA paused (inquiries_app/_status.html draws it too).

    A filter rather than an include: the queue draws one per row, and an include per row costs
    several times more to render.
    """
    badge = format_html(
        '<span class="status inq-status-{}">{}</span>', inquiry.status.lower(), label(inquiry.status)
    )
    if inquiry.is_overdue:
        return format_html('{} <span class="overdue-flag">Overdue</span>', badge)
    if inquiry.status == Status.WAITING_ON_CUSTOMER:
        return format_html('{} <span class="paused-flag">SLA paused</span>', badge)
    return badge
