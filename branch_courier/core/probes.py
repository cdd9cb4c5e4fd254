"""/live, /ready, /health and /metrics: answered before sessions, auth, CSRF and audit."""

import ipaddress
import json
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache

from branch_courier.core import health


def _json(payload: dict, status: int) -> HttpResponse:
    response = JsonResponse(payload, status=status, json_dumps_params={"separators": (",", ":")})
    response["Cache-Control"] = "no-store"
    return response


def live(request):
    return _json({"status": "UP"}, 200)


def ready(request):
    checks = {
        "database": health.check_database(),
        "migrations": health.check_migrations(),
    }
    # Redis is reported but does not make the pod unready: pages and logins work without it.
    checks["redis"] = health.check_redis()
    failing = health.is_failing(checks["database"]) or health.is_failing(checks["migrations"])
    return _json({"status": "DOWN" if failing else "UP", "checks": checks}, 503 if failing else 200)


def health_report(request):
    checks = {
        "database": health.check_database(),
        "redis": health.check_redis(),
        "externalServices": health.check_external_services(),
    }
    required = ["database", "redis"] + (["externalServices"] if settings.HEALTH_REQUIRE_EXTERNAL else [])
    healthy = not any(health.is_failing(checks[name]) for name in required)
    payload = {
        "status": "UP" if healthy else "DOWN",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "version": settings.APP_VERSION,
        "checks": checks,
    }
    return _json(payload, 200 if healthy else 503)


def _metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and constant_time_compare(header[7:], token):
        return True
    try:
        # The direct peer, not X-Forwarded-For: the scraper connects to the pod itself.
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETWORKS
    )


def metrics(request):
    if not _metrics_allowed(request):
        response = HttpResponse(
            json.dumps({"error": "forbidden"}), status=403, content_type="application/json"
        )
        response["Cache-Control"] = "no-store"
        return response
    from django_prometheus.exports import ExportToDjangoView

    response = ExportToDjangoView(request)
    response["Cache-Control"] = "no-store"
    return response


ROUTES = {
    "/live": never_cache(live),
    "/ready": never_cache(ready),
    "/health": never_cache(health_report),
    "/metrics": metrics,
}
