"""Request id, probe short-circuit and the security headers Django does not set itself."""

from django.conf import settings

from branch_courier.core import probes
from branch_courier.core.request_context import clean_request_id, request_id_var, request_var

REQUEST_ID_HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Honour a valid incoming X-Request-ID (nginx sets one) or make one; echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = clean_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        id_token = request_id_var.set(request_id)
        request_token = request_var.set(request)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
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
