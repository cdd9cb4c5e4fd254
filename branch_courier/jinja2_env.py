"""The Jinja2 environment for the rows of the long lists (templates in jinja_templates/).

The package list, the inquiry queue and a manifest's items draw 50 rows of a dozen values each.
In Django's template language those rows were most of each page's time; Jinja2 compiles a
template to Python and draws the same rows several times faster (docs/performance.md). Pages,
forms and everything else stay Django templates; a page includes its rows with
{% jinja "app/rows.html" page=page %} (core/templatetags/jinja_tags.py).

Autoescaping is on, and an undefined name is an error rather than an empty string, so a typo in a
row template fails its page's tests instead of drawing blank cells.
"""

import functools
import re

from django.urls import NoReverseMatch, reverse
from jinja2 import Environment, StrictUndefined

from branch_courier.core.templatetags.display import stamp
from inquiries_app.models import Category, Priority
from inquiries_app.templatetags.inquiry_tags import inquiry_status
from packages_app.lifecycle import Status as PackageStatus
from packages_app.templatetags.package_tags import status_badge
from packages_app.transit_models import ManifestItem

# Arguments that stand in a path as they are (RFC 3986 unreserved characters: nothing to quote).
_PLAIN = re.compile(r"[A-Za-z0-9._~-]+")
# Stand-ins for the arguments of a URL, valid for the int and str converters our rows use.
_STAND_INS = tuple(str(918_273_645_000 + i) for i in range(4))


@functools.cache
def _url_parts(name: str, arity: int) -> tuple[str, ...] | None:
    """The URL named `name` cut at its `arity` arguments, or None if it cannot be cut cleanly."""
    try:
        path = reverse(name, args=_STAND_INS[:arity])
    except (NoReverseMatch, IndexError):
        return None
    parts, rest = [], path
    for stand_in in _STAND_INS[:arity]:
        if rest.count(stand_in) != 1:
            return None
        before, rest = rest.split(stand_in)
        parts.append(before)
    return (*parts, rest)


def url(name: str, *args) -> str:
    """reverse(name, args=args), without reverse()'s cost on every row.

    A list draws a link or a form per row, and reverse() was a tenth of a manifest page of 100
    items (200 calls). The URL is reversed once per name with stand-in
    arguments and the real ones put in their places; anything unusual goes to reverse() itself.
    """
    parts = _url_parts(name, len(args))
    if parts is None or not all(isinstance(a, int) or _PLAIN.fullmatch(str(a)) for a in args):
        return reverse(name, args=args)
    pieces = [parts[0]]
    for arg, after in zip(args, parts[1:], strict=True):
        pieces += [str(arg), after]
    return "".join(pieces)


def label(value: str, choices) -> str:
    """{{ package.status|label(PackageStatus) }}: what get_status_display() gives.

    get_FOO_display() rebuilds its field's choices dict on every call, three times per inquiry row.
    """
    try:
        return choices(value).label
    except ValueError:
        return value


def environment(**options) -> Environment:
    options["undefined"] = StrictUndefined  # the backend would set Undefined (or DebugUndefined)
    env = Environment(**options)  # noqa: S701 (Django's Jinja2 backend passes autoescape=True)
    env.globals.update(
        url=url,
        PackageStatus=PackageStatus,
        ManifestOutcome=ManifestItem.Outcome,
        InquiryPriority=Priority,
        InquiryCategory=Category,
    )
    env.filters.update(stamp=stamp, label=label, status_badge=status_badge, inquiry_status=inquiry_status)
    return env
