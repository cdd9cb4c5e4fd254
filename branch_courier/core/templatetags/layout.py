"""The parts of every page's layout (templates/base.html) drawn outside Django's template language.

The layout was a fifth of a signed-in dashboard's time: four {% static %} look-ups and the top
bar's two dozen tags, on every page. The <head> never changes while the process runs (the static
files' manifest is read at start), so it is built once. The top bar (a Jinja2 template,
jinja_templates/layout/topbar.html) changes only with who is signed in, so it is drawn once per
kind of user (`Who`: everything it shows of one) and kept, cut where each page's CSRF field goes.
"""

from functools import cache, lru_cache
from typing import NamedTuple

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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


class Who(NamedTuple):
    """All the top bar shows of a signed-in user, and so the key its drawing is kept under."""

    name: str
    branch_code: str  # "" without a branch
    branch_name: str
    role: str
    works_counter: bool
    is_staff: bool
    can_read_audit: bool


def who(user) -> Who | None:
    """The top bar's view of `user`; None when nobody is signed in."""
    if user is None or not user.is_authenticated:
        return None
    branch = user.branch if user.branch_id else None
    return Who(
        name=user.get_full_name() or user.username,
        branch_code=branch.code if branch else "",
        branch_name=branch.name if branch else "",
        role=user.get_role_display(),
        works_counter=user.works_counter,
        is_staff=user.is_staff,
        can_read_audit=can_read_audit(user),
    )


# Where the sign-out form's CSRF field goes in a kept drawing: a character no template writes.
_CSRF_SLOT = "\x00"


@lru_cache(maxsize=1024)  # bounded: one entry per kind of user this process has served
def _topbar(signed_in: Who | None) -> tuple[SafeString, SafeString]:
    """The top bar for `signed_in`, before and after its CSRF field."""
    html = render_jinja("layout/topbar.html", {"who": signed_in, "nav": nav_urls(), "csrf_input": _Slot()})
    before, _, after = html.partition(_CSRF_SLOT)
    return mark_safe(before), mark_safe(after)  # noqa: S308 (drawn by Jinja2, which escaped every value)


class _Slot:
    def __html__(self) -> str:
        return _CSRF_SLOT


@receiver(setting_changed)
def _urls_changed(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _topbar.cache_clear()


@register.simple_tag(takes_context=True)
def layout_topbar(context) -> SafeString:
    """The skip link, the top bar (links by role, who is signed in, sign out) and any messages."""
    before, after = _topbar(who(context.get("user")))
    html = before
    if after:  # signed in: the sign-out form and its CSRF field
        html += CsrfField(context.get("csrf_token", "")).__html__() + after
    messages = context.get("messages")
    if messages:
        html += render_jinja("layout/messages.html", {"messages": messages})
    return html
