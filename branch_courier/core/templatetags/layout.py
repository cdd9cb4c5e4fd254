"""The parts of every page's layout (templates/base.html) drawn outside Django's template language.

The layout was a fifth of a signed-in dashboard's time: four {% static %} look-ups and the top
bar's two dozen tags, on every page. The <head> never changes while the process runs (the static
files' manifest is read at start), so it is built once; the top bar is a Jinja2 template
(jinja_templates/layout/topbar.html), several times faster to draw than the same markup here.
"""

from functools import cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from audit.access import can_read_audit
from branch_courier.core.context_processors import nav_urls
from branch_courier.core.templatetags.jinja_tags import CsrfField, render_jinja

register = template.Library()

# htmx may not eval or run scripts it swaps in: the CSP forbids both anyway (core/csp.py).
HTMX_CONFIG = '{"includeIndicatorStyles": false, "allowEval": false, "allowScriptTags": false}'


@cache
def _head() -> SafeString:
    return format_html(
        '<meta charset="utf-8">\n'
        '  <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "  <meta name=\"htmx-config\" content='{}'>\n"
        '  <link rel="icon" href="{}" type="image/svg+xml">\n'
        '  <link rel="stylesheet" href="{}">\n'
        '  <script src="{}" defer></script>\n'
        '  <script src="{}" defer></script>',
        HTMX_CONFIG,
        static("favicon.svg"),
        static("css/app.css"),
        static("vendor/htmx/htmx.min.js"),
        static("js/app.js"),
    )


@receiver(setting_changed)
def _static_settings_changed(setting, **kwargs):
    if setting in {"STATIC_URL", "STORAGES"}:
        _head.cache_clear()


@register.simple_tag
def layout_head() -> SafeString:
    """The <head>'s meta tags, icon, style sheet and scripts (static URLs with their hashes)."""
    return _head()


@register.simple_tag(takes_context=True)
def layout_topbar(context) -> SafeString:
    """The skip link, the top bar (links by role, who is signed in, sign out) and any messages."""
    user = context.get("user")
    values = {
        "user": user,
        "nav": nav_urls(),
        "can_read_audit": can_read_audit(user),
        "messages": context.get("messages") or (),
        "csrf_input": CsrfField(context.get("csrf_token", "")),
    }
    return render_jinja("layout/topbar.html", values)
