"""Gauges for batch jobs: written as a Prometheus textfile and pushed to a Pushgateway if set.

A CronJob's pod is gone before Prometheus could scrape it, so backup and compliance results
travel through the Pushgateway (METRICS_PUSHGATEWAY_URL); the textfile beside the backups serves a
node_exporter textfile collector on a plain host. Alert rules in deploy/prometheus use these names.
"""

import logging
from datetime import datetime
from pathlib import Path

from django.conf import settings
from prometheus_client import CollectorRegistry, Gauge, push_to_gateway, write_to_textfile

logger = logging.getLogger(__name__)

BACKUP_TEXTFILE = "branch_courier_backup.prom"


def record_backup(*, directory: Path, manifest: dict, seconds: float) -> None:
    registry = CollectorRegistry()
    created = datetime.fromisoformat(manifest["created_at"]).timestamp()
    Gauge(
        "branch_courier_backup_last_success_timestamp_seconds",
        "Unix time of the last successful database backup",
        registry=registry,
    ).set(created)
    Gauge("branch_courier_backup_size_bytes", "Size of the last backup file", registry=registry).set(
        manifest["size_bytes"]
    )
    Gauge("branch_courier_backup_duration_seconds", "How long the last backup took", registry=registry).set(
        seconds
    )
    rows = Gauge("branch_courier_backup_rows", "Rows in the last backup", ["table"], registry=registry)
    for table, count in manifest["tables"].items():
        rows.labels(table=table).set(count)
    write_to_textfile(str(directory / BACKUP_TEXTFILE), registry)
    _push("branch_courier_backup", registry)


def record_compliance(*, results: list, certificates: dict[str, float]) -> None:
    registry = CollectorRegistry()
    status = Gauge(
        "branch_courier_compliance_check_ok",
        "1 when the compliance check passed (or only warned), 0 when it failed",
        ["check"],
        registry=registry,
    )
    for result in results:
        if result.status != "skip":
            status.labels(check=result.name).set(0 if result.status == "fail" else 1)
    expiry = Gauge(
        "branch_courier_tls_certificate_expiry_timestamp_seconds",
        "Unix time when the TLS certificate expires",
        ["target"],
        registry=registry,
    )
    for target, timestamp in certificates.items():
        expiry.labels(target=target).set(timestamp)
    _push("branch_courier_compliance", registry)


def _push(job: str, registry: CollectorRegistry) -> None:
    url = settings.METRICS_PUSHGATEWAY_URL
    if not url:
        return
    try:
        push_to_gateway(url, job=job, registry=registry, timeout=10)
    except OSError as exc:
        # The job itself succeeded; a missing metric shows up as the "absent" alert instead.
        logger.warning("could not push %s metrics to the Pushgateway: %s", job, exc)
