"""Dependency checks behind /live, /ready and /health. Each returns {"status", "latency_ms", ...}."""

import contextlib
import logging
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger(__name__)

UP, DOWN, NOT_CONFIGURED = "UP", "DOWN", "NOT_CONFIGURED"

# Once every migration is applied in this process it stays so; checking costs a disk scan.
_migrations_applied = False


def _timed(fn):
    started = time.perf_counter()
    try:
        result = fn() or {}
        result.setdefault("status", UP)
    except Exception as exc:  # a probe reports every failure, whatever its type
        logger.warning("health check failed", extra={"check": fn.__name__, "error": str(exc)[:200]})
        result = {"status": DOWN, "error": type(exc).__name__}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result


def check_database():
    def database():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"vendor": connection.vendor}

    result = _timed(database)
    if result["status"] == DOWN:
        # Drop the broken connection so the next request reconnects instead of reusing it.
        with contextlib.suppress(DatabaseError):
            connection.close()
    return result


def check_redis():
    if not settings.REDIS_URL:
        return {"status": NOT_CONFIGURED, "latency_ms": 0.0, "backend": "locmem"}

    def redis():
        # django-redis swallows errors in cache.get (IGNORE_EXCEPTIONS); a raw PING does not.
        from django_redis import get_redis_connection

        get_redis_connection("default").ping()
        return {}

    return _timed(redis)


def check_migrations():
    global _migrations_applied
    if _migrations_applied:
        return {"status": UP, "latency_ms": 0.0}

    def migrations():
        global _migrations_applied
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            return {"status": DOWN, "pending": len(pending)}
        _migrations_applied = True
        return {}

    return _timed(migrations)


def _external_clients():
    from branch_courier.integrations.notification import NotificationClient
    from branch_courier.integrations.payment import PaymentClient
    from branch_courier.integrations.tracking import TrackingClient

    return {"tracking": TrackingClient(), "notification": NotificationClient(), "payment": PaymentClient()}


def check_external_service(client):
    """One partner's GET <url>/health through its own client (branch_courier/integrations)."""
    from branch_courier.integrations.http import PartnerError

    if not client.configured:
        return {"status": NOT_CONFIGURED, "latency_ms": 0.0}
    started = time.perf_counter()
    try:
        client.health()
        result = {"status": UP}
    except PartnerError as exc:
        # The reason names the service and what happened; never the URL (it may hold credentials).
        logger.warning("health check failed", extra={"check": client.service, "error": exc.reason})
        result = {"status": DOWN, "error": exc.reason}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result


def check_outbox():
    """DOWN when the oldest unfinished outbox message is older than OUTBOX_MAX_AGE seconds."""

    def outbox():
        from outbox.services import backlog

        figures = backlog()
        too_old = figures["oldest_pending_seconds"] > settings.OUTBOX_MAX_AGE
        return {"status": DOWN if too_old else UP, **figures}

    return _timed(outbox)


def check_external_services():
    services = {name: check_external_service(client) for name, client in _external_clients().items()}
    # The outbox is how messages reach these services; a backlog that is too old is an outage too.
    services["outbox"] = check_outbox()
    configured = [s for s in services.values() if s["status"] != NOT_CONFIGURED]
    if any(s["status"] == DOWN for s in configured):
        status = DOWN
    elif len(configured) > 1:  # the outbox plus at least one partner
        status = UP
    else:
        status = NOT_CONFIGURED
    latency = round(sum(s["latency_ms"] for s in services.values()), 2)
    return {"status": status, "latency_ms": latency, "services": services}


def is_failing(check: dict) -> bool:
    return check["status"] == DOWN
