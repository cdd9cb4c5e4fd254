"""Prometheus metrics of the outbox, served by the worker (run_outbox --metrics-port)."""

from prometheus_client import Counter, Gauge, Histogram

PENDING = Gauge("outbox_pending_messages", "Messages queued or being sent")
DEAD = Gauge("outbox_dead_messages", "Messages that failed too often and wait for an operator")
OLDEST_PENDING = Gauge("outbox_oldest_pending_age_seconds", "Age of the oldest unfinished message")
DELIVERIES = Counter("outbox_deliveries_total", "Delivery attempts by outcome", ["topic", "result"])
# From enqueue to the partner's 2xx: includes waiting for a worker and any retries.
DELIVERY_LATENCY = Histogram(
    "outbox_delivery_latency_seconds",
    "Seconds from enqueue to delivery",
    ["topic"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600),
)


def refresh_gauges() -> dict:
    from outbox.services import backlog

    figures = backlog()
    PENDING.set(figures["pending"])
    DEAD.set(figures["dead"])
    OLDEST_PENDING.set(figures["oldest_pending_seconds"])
    return figures
