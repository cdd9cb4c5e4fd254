"""One audit row per request by a signed-in user; it never breaks the request it records."""

import time

from django.conf import settings

from audit import page_views

# Probes and metrics never reach this middleware (core.ProbeMiddleware answers first); the
# prefixes stay as a second line in case the order changes.
SKIP_PREFIXES = ("/live", "/ready", "/health", "/metrics", "/favicon")
# The public tracking page and API are anonymous by design: never recorded as a user's action.
PUBLIC_PREFIXES = ("/track/", "/api/v1/track/")


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.skip_prefixes = (*SKIP_PREFIXES, *PUBLIC_PREFIXES, settings.STATIC_URL or "/static/")

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        path = request.path_info
        if path.startswith(self.skip_prefixes):
            return response
        # request.user is lazy; after logout it is anonymous (the logout itself is a domain
        # record, audit.receivers), after login it is the new user.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        # Path only: query strings and bodies can carry personal data or tokens. The row is
        # logged now and written with the next batch (audit/page_views.py).
        page_views.record(
            action=f"{request.method} {path}",
            actor=user,
            request=request,
            status_code=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return response
