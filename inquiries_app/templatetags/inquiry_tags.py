"""Template filters of the help desk screens."""

from datetime import timedelta

from django import template

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
