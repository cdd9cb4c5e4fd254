"""System checks: refuse to start with S10 settings that would print unreadable tracking numbers."""

import re

from django.conf import settings
from django.core.checks import Error, register


@register()
def s10_settings(app_configs, **kwargs):
    errors = []
    for name in ("S10_SERVICE_LETTERS", "S10_COUNTRY"):
        value = getattr(settings, name, "")
        if not re.fullmatch(r"[A-Z]{2}", value or ""):
            errors.append(
                Error(f"{name} must be exactly two letters A-Z, got {value!r}.", id="packages_app.E001")
            )
    return errors
