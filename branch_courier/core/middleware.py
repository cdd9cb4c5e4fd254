"""Request id + access log, probe short-circuit, and the security headers Django does not set."""

import logging
import time

from django.conf import settings

from branch_courier.core import probes
from branch_courier.core.request_context import clean_request_id, request_id_var, request_var

REQUEST_ID_HEADER = "X-Request-ID"
access_log = logging.getLogger("branch_courier.request")
PROBE_PATHS = frozenset({"/live", "/ready", "/health", "/metrics"})


class RequestIdMiddleware:
    """Honour a valid incoming X-Request-ID (nginx sets one) or make one; echo it back.

    Also writes the access log line (gunicorn's own access log is off): method, path, status and
    duration, never the query string (it may carry a phone number or a name).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = clean_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        id_token = request_id_var.set(request_id)
        request_token = request_var.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            # Probes run every few seconds; keep them out of the INFO stream.
            level = logging.DEBUG if request.path_info in PROBE_PATHS else logging.INFO
            access_log.log(
                level,
                "request",
                extra={
                    "method": request.method,
                    "path": request.path_info,
                    "status_code": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            request_var.reset(request_token)
            request_id_var.reset(id_token)


class ProbeMiddleware:
    """Answer /live, /ready, /health and /metrics without sessions, auth, CSRF or audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = probes.ROUTES.get(request.path_info.rstrip("/") or "/")
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            from django.http import HttpResponseNotAllowed

            return HttpResponseNotAllowed(["GET", "HEAD"])
        return view(request)


class SecurityHeadersMiddleware:
    """Permissions-Policy (Django has no setting for it) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
