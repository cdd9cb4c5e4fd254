"""Template filters of the counter screens."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def status_badge(status: str, label: str) -> str:
    """A package status as a coloured badge: {{ package.status|status_badge:package.get_status_display }}.

    A filter, not an {% include %}: list pages draw one per row, and an include per row costs
    several times more to render.
    """
    return format_html('<span class="status status-{}">{}</span>', str(status).lower(), label)
