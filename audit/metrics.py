"""Prometheus metrics of the audit trail (scraped through /metrics with everything else)."""

from prometheus_client import Counter, Histogram

AUDIT_WRITE_FAILURES = Counter(
    "audit_write_failures_total", "Audit rows that could not be written (the request still answered)"
)
# Time spent inserting one audit row. Buckets from 0.5 ms: a healthy write is a few milliseconds.
AUDIT_WRITE_SECONDS = Histogram(
    "audit_write_seconds",
    "Seconds spent writing one audit row",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
# Page-view rows go to the table in batches (audit/page_views.py): the time of one batch's INSERT.
AUDIT_PAGE_VIEW_FLUSH_SECONDS = Histogram(
    "audit_page_view_flush_seconds",
    "Seconds spent writing one batch of page-view audit rows",
    buckets=(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
)
