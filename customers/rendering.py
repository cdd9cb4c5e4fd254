"""Rendering notification templates safely with Django's template engine.

The admin writes the template source; customers only ever supply *values* (a name typed at the
counter), which go into the context and are never parsed as template code. The engine has no
loaders and no tag libraries beyond the built-ins, and tags that reach outside the template
(include, extends, load, debug, ssi…) are refused when the template is saved. The context holds
plain strings only, so no template can call a method of a model.
Text (SMS, subject, plain e-mail) renders without HTML escaping; the HTML body with autoescape.
"""

import re

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError

_FORBIDDEN_TAGS = re.compile(r"{%-?\s*(load|include|extends|debug|ssi|block|csrf_token|url|static)\b")
# One engine per escaping mode; no dirs, no app templates: {% include %} can find nothing.
_TEXT = Engine(dirs=[], app_dirs=False, autoescape=False, libraries={})
_HTML = Engine(dirs=[], app_dirs=False, autoescape=True, libraries={})

# The values every template may use (shown in the admin's help).
VARIABLES = (
    "tracking_number",
    "name",
    "status",
    "branch_name",
    "branch_city",
    "branch_address",
    "opening_hours",
    "hold_until",
    "track_url",
)


def check_source(source: str) -> None:
    """Raise ValidationError if an admin's template source is not allowed or does not compile."""
    match = _FORBIDDEN_TAGS.search(source or "")
    if match:
        raise ValidationError(f"The {{% {match.group(1)} %}} tag is not allowed in notification templates.")
    try:
        _TEXT.from_string(source or "")
    except TemplateSyntaxError as exc:
        raise ValidationError(f"Template error: {exc}") from exc


def _values(context: dict) -> dict:
    # Plain strings only: nothing with attributes or methods reaches the template.
    return {name: "" if context.get(name) is None else str(context[name]) for name in VARIABLES}


def render_text(source: str, context: dict) -> str:
    check_source(source)
    return _TEXT.from_string(source).render(Context(_values(context), autoescape=False)).strip()


def render_html(source: str, context: dict) -> str:
    if not source:
        return ""
    check_source(source)
    return _HTML.from_string(source).render(Context(_values(context), autoescape=True)).strip()
