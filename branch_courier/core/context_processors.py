"""Template context shared by every page."""

from functools import cache

from django.conf import settings
from django.urls import reverse

# The top bar's links (jinja_templates/layout/topbar.html). Reversed once per process: they never change, and
# eleven {% url %} tags on every page cost more than the rest of the top bar.
NAV = {
    "home": "home",
    "audit": "audit:list",
    "packages": "packages:list",
    "inquiries": "inquiries:list",
    "intake": "packages:intake",
    "scan": "packages:scan",
    "manifests": "manifests:list",
    "handover": "packages:handover_search",
    "drawer": "drawer:home",
    "admin": "admin:index",
    "password": "accounts:password_change",
    "logout": "accounts:logout",
}


@cache
def nav_urls() -> dict[str, str]:
    return {key: reverse(name) for key, name in NAV.items()}


def app(request):
    return {"app_version": settings.APP_VERSION, "environment": settings.ENVIRONMENT, "nav": nav_urls()}
