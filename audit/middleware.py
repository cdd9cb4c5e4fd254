"""One audit row per request by a signed-in user; it never breaks the request it records."""

import logging
import time

from django.conf import settings
from django.db import transaction
from prometheus_client import Counter

from audit.services import audit_record

logger = logging.getLogger("audit")
AUDIT_WRITE_FAILURES = Counter("audit_write_failures_total", "Audit rows that could not be written")

SKIP_PREFIXES = ("/live", "/ready", "/health", "/metrics", "/static/", "/favicon")


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = settings.STATIC_URL or "/static/"

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        path = request.path_info
        if path.startswith(SKIP_PREFIXES) or path.startswith(self.static_prefix):
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        try:
            # A savepoint, so a failed write cannot poison a transaction the view left open.
            with transaction.atomic():
                audit_record(
                    action=f"{request.method} {path}"[:200],
                    actor=user,
                    request=request,
                    status_code=response.status_code,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
        except Exception:  # the audit write must never turn a page into a 500
            AUDIT_WRITE_FAILURES.inc()
            logger.exception("audit write failed", extra={"path": path})
        return response
