"""Compliance checks: each returns a CheckResult; run_checks() runs the selected ones."""

import json
import re
import socket
import ssl
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from branch_courier.ops.common import OpsError, one_line
from branch_courier.ops.files import newest_backup

PASS, WARN, FAIL, SKIP = "pass", "warn", "fail", "skip"
CERT_WARN_DAYS = 30
CERT_FAIL_DAYS = 7
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 (the default we refuse)


@dataclass
class CheckResult:
    name: str
    status: str
    message: str
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Options:
    tls_targets: list[str]
    backup_dir: Path
    max_backup_age: timedelta
    max_superusers: int
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    certificates: dict[str, float] = field(default_factory=dict)  # target → expiry timestamp


# --- TLS ------------------------------------------------------------------------------------------
_HOST_PORT = re.compile(r"^(?P<host>\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(?P<port>\d{1,5})$")


def _load_certificate(target: str):
    from cryptography import x509

    path = Path(target).expanduser()
    if path.is_file():
        try:
            return x509.load_pem_x509_certificate(path.read_bytes())
        except ValueError as exc:
            raise OpsError(f"{target} is not a PEM certificate") from exc
    match = _HOST_PORT.match(target)
    if not match:
        raise OpsError(f"{target} is neither a readable PEM file nor host:port")
    host = match["host"].strip("[]")
    try:
        # Expiry is what we check here, so an untrusted or expired chain must still be readable.
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with socket.create_connection((host, int(match["port"])), timeout=5) as sock:  # noqa: SIM117
            with context.wrap_socket(sock, server_hostname=host) as tls:
                der = tls.getpeercert(binary_form=True)
    except OSError as exc:
        raise OpsError(f"cannot read the certificate of {target}: {exc.strerror or exc}") from exc
    return x509.load_der_x509_certificate(der)


def check_tls(opts: Options) -> list[CheckResult]:
    if not opts.tls_targets:
        return [
            CheckResult("tls_certificate", SKIP, "no certificate given (--tls or COMPLIANCE_TLS_TARGETS)")
        ]
    results = []
    for target in opts.tls_targets:
        name = f"tls_certificate:{target}"
        try:
            cert = _load_certificate(target)
        except OpsError as exc:
            results.append(CheckResult(name, FAIL, str(exc)))
            continue
        expires = cert.not_valid_after_utc
        opts.certificates[target] = expires.timestamp()
        days = (expires - opts.now).total_seconds() / 86400
        details = {
            "expires": expires.isoformat(),
            "days_left": round(days, 1),
            "subject": cert.subject.rfc4514_string(),
        }
        if days < 0:
            results.append(CheckResult(name, FAIL, f"expired on {expires:%Y-%m-%d}", details))
        elif days < CERT_FAIL_DAYS:
            results.append(
                CheckResult(name, FAIL, f"expires in {days:.1f} days ({expires:%Y-%m-%d})", details)
            )
        elif days < CERT_WARN_DAYS:
            results.append(
                CheckResult(name, WARN, f"expires in {days:.0f} days ({expires:%Y-%m-%d})", details)
            )
        else:
            results.append(
                CheckResult(name, PASS, f"valid until {expires:%Y-%m-%d} ({days:.0f} days)", details)
            )
    return results


# --- backups --------------------------------------------------------------------------------------
def check_backup(opts: Options) -> list[CheckResult]:
    try:
        backup = newest_backup(opts.backup_dir)
        if backup is None:
            return [CheckResult("backup", FAIL, f"no backup found in {opts.backup_dir}")]
        created = backup.created_at()
        backup.verify_checksums()
    except OpsError as exc:
        return [CheckResult("backup", FAIL, str(exc))]
    age = opts.now - created
    hours = age.total_seconds() / 3600
    details = {"file": str(backup.dump), "created_at": created.isoformat(), "age_hours": round(hours, 2)}
    if age > opts.max_backup_age:
        limit = opts.max_backup_age.total_seconds() / 3600
        return [
            CheckResult("backup", FAIL, f"newest backup is {hours:.1f} h old (limit {limit:.0f} h)", details)
        ]
    return [CheckResult("backup", PASS, f"{backup.dump.name} is {hours:.1f} h old, checksum ok", details)]


# --- Django configuration -------------------------------------------------------------------------
def check_deploy(opts: Options) -> list[CheckResult]:
    from django.core import checks

    messages = [m for m in checks.run_checks(include_deployment_checks=True) if m.level >= checks.WARNING]
    messages = [m for m in messages if m.id not in settings.SILENCED_SYSTEM_CHECKS]
    if messages:
        ids = sorted({m.id for m in messages})
        return [
            CheckResult(
                "deploy_checks",
                FAIL,
                f"check --deploy reports {len(messages)}: {', '.join(ids)}",
                {"messages": [f"{m.id}: {m.msg}" for m in messages]},
            )
        ]
    return [CheckResult("deploy_checks", PASS, "check --deploy reports nothing")]


def check_migrations(opts: Options) -> list[CheckResult]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = [f"{m.app_label}.{m.name}" for m, _ in plan]
        return [
            CheckResult(
                "migrations", FAIL, f"{len(names)} unapplied: {', '.join(names[:5])}", {"unapplied": names}
            )
        ]
    return [CheckResult("migrations", PASS, "all migrations applied")]


def check_debug(opts: Options) -> list[CheckResult]:
    if settings.DEBUG:
        return [CheckResult("debug", FAIL, "DEBUG is on")]
    return [CheckResult("debug", PASS, "DEBUG is off")]


def check_secret_key(opts: Options) -> list[CheckResult]:
    key = str(settings.SECRET_KEY or "")
    # Django's own thresholds (security.W009), plus our development default.
    if key == DEV_SECRET_KEY or key.startswith("django-insecure-"):
        return [CheckResult("secret_key", FAIL, "SECRET_KEY is the development default")]
    if len(key) < 50 or len(set(key)) < 5:
        return [
            CheckResult(
                "secret_key",
                FAIL,
                f"SECRET_KEY is weak ({len(key)} characters, {len(set(key))} distinct; need 50 and 5)",
            )
        ]
    return [CheckResult("secret_key", PASS, f"SECRET_KEY has {len(key)} characters")]


def check_superusers(opts: Options) -> list[CheckResult]:
    from django.contrib.auth import get_user_model

    count = get_user_model().objects.filter(is_superuser=True, is_active=True).count()
    details = {"count": count, "limit": opts.max_superusers}
    if count > opts.max_superusers:
        return [
            CheckResult(
                "superusers", FAIL, f"{count} active superusers (limit {opts.max_superusers})", details
            )
        ]
    if count == 0:
        return [
            CheckResult("superusers", WARN, "no active superuser: nobody can administer the site", details)
        ]
    return [CheckResult("superusers", PASS, f"{count} active superuser(s)", details)]


def check_login_throttling(opts: Options) -> list[CheckResult]:
    missing = []
    if not getattr(settings, "AXES_ENABLED", False):
        missing.append("AXES_ENABLED is false")
    if "axes" not in settings.INSTALLED_APPS:
        missing.append("axes not installed")
    if "axes.middleware.AxesMiddleware" not in settings.MIDDLEWARE:
        missing.append("AxesMiddleware missing")
    if not any("axes" in backend for backend in settings.AUTHENTICATION_BACKENDS):
        missing.append("axes authentication backend missing")
    if missing:
        return [CheckResult("login_throttling", FAIL, "; ".join(missing))]
    limit, cooloff = settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME
    return [CheckResult("login_throttling", PASS, f"axes locks out after {limit} failures for {cooloff}")]


def check_audit_log(opts: Options) -> list[CheckResult]:
    from audit.models import AuditLog

    since = opts.now - timedelta(hours=24)
    latest = AuditLog.objects.order_by("-timestamp").values_list("timestamp", flat=True).first()
    if latest is None or latest < since:
        when = f"last entry {latest:%Y-%m-%d %H:%M} UTC" if latest else "no entries at all"
        return [CheckResult("audit_log", FAIL, f"nothing written to the audit log in 24 h ({when})")]
    return [CheckResult("audit_log", PASS, f"last entry {latest:%Y-%m-%d %H:%M} UTC")]


def check_vulnerabilities(opts: Options) -> list[CheckResult]:
    """pip-audit against the installed packages; skipped (visibly) when its source is unreachable."""
    argv = [
        sys.executable,
        "-m",
        "pip_audit",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--timeout",
        "15",
    ]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)  # noqa: S603
    except subprocess.TimeoutExpired:
        return [
            CheckResult(
                "vulnerabilities", SKIP, "SKIPPED: pip-audit timed out; vulnerability source unreachable?"
            )
        ]
    if "No module named pip_audit" in proc.stderr:
        return [
            CheckResult("vulnerabilities", SKIP, "SKIPPED: pip-audit not installed (requirements-ops.txt)")
        ]
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        return [
            CheckResult(
                "vulnerabilities",
                SKIP,
                f"SKIPPED: vulnerability source not reachable: {one_line(proc.stderr)[:200]}",
            )
        ]
    return [interpret_audit_report(report)]


def interpret_audit_report(report: dict) -> CheckResult:
    """pip-audit's JSON → one result; packages it could not look up are not counted as clean."""
    dependencies = report.get("dependencies", [])
    audited = [dep for dep in dependencies if not dep.get("skip_reason")]
    if dependencies and not audited:
        # pip-audit answers, but could look up none of the packages: the source is not reachable.
        reason = one_line(dependencies[0]["skip_reason"])[:160]
        return CheckResult(
            "vulnerabilities",
            SKIP,
            f"SKIPPED: vulnerability source not reachable, none of {len(dependencies)} packages audited "
            f"({reason})",
        )
    vulnerable = {
        f"{dep['name']}=={dep.get('version', '?')}": [v["id"] for v in dep.get("vulns", [])]
        for dep in audited
        if dep.get("vulns")
    }
    unaudited = len(dependencies) - len(audited)
    note = f" ({unaudited} could not be audited)" if unaudited else ""
    if vulnerable:
        shown = ", ".join(f"{pkg} ({', '.join(ids)})" for pkg, ids in sorted(vulnerable.items())[:5])
        return CheckResult(
            "vulnerabilities",
            FAIL,
            f"{len(vulnerable)} vulnerable packages: {shown}{note}",
            {"packages": vulnerable},
        )
    return CheckResult(
        "vulnerabilities", PASS, f"{len(audited)} packages audited, none known vulnerable{note}"
    )


CHECKS: dict[str, Callable[[Options], list[CheckResult]]] = {
    "tls_certificate": check_tls,
    "backup": check_backup,
    "deploy_checks": check_deploy,
    "migrations": check_migrations,
    "debug": check_debug,
    "secret_key": check_secret_key,
    "superusers": check_superusers,
    "login_throttling": check_login_throttling,
    "audit_log": check_audit_log,
    "vulnerabilities": check_vulnerabilities,
}


def run_checks(opts: Options, names: list[str]) -> list[CheckResult]:
    results = []
    for name in names:
        try:
            results += CHECKS[name](opts)
        except Exception as exc:  # one broken check must not hide the others
            results.append(
                CheckResult(name, FAIL, f"check crashed: {type(exc).__name__}: {one_line(str(exc))}")
            )
    return results
