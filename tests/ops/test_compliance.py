"""compliance_check: each check fails when it should, the report formats, the exit code."""

import json
import socket
import ssl
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditLog
from branch_courier.ops.files import backup_set_for
from tests.factories import UserFactory
from tests.ops.conftest import fails, make_backup, make_certificate, run

STRONG_KEY = "k7#Qp2!vR9$wX4&zL8@mN3^bT6*yH1%cF5(jD0)gS-aE_uI+oP=Z"


def cert_in(tmp_path, days: float):
    return make_certificate(tmp_path / "cert.pem", not_after=datetime.now(UTC) + timedelta(days=days))


def test_an_expired_certificate_fails(tmp_path, db):
    pem = cert_in(tmp_path, -2)
    reason = fails("compliance_check", "--only", "tls_certificate", "--tls", str(pem))
    assert reason == f"compliance check failed: tls_certificate:{pem}"


def test_expired_certificate_is_explained_in_the_report(tmp_path, db):
    pem = cert_in(tmp_path, -2)
    report = tmp_path / "report.txt"
    fails("compliance_check", "--only", "tls_certificate", "--tls", str(pem), "--output", str(report))
    expired_on = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%d")
    assert f"FAIL  tls_certificate:{pem}: expired on {expired_on}" in report.read_text()


@pytest.mark.parametrize(
    ("days", "status"),
    [(3, "fail"), (6.5, "fail"), (20, "warn"), (29, "warn"), (31, "pass"), (365, "pass")],
)
def test_certificate_thresholds_warn_under_30_days_fail_under_7(tmp_path, db, days, status):
    pem = cert_in(tmp_path, days)
    args = ["compliance_check", "--only", "tls_certificate", "--tls", str(pem), "--format", "json"]
    if status == "fail":
        fails(*args, "--output", str(tmp_path / "r.json"))
        result = json.loads((tmp_path / "r.json").read_text())
    else:
        result = json.loads(run(*args))
    assert [c["status"] for c in result["checks"]] == [status]
    assert result["status"] == ("fail" if status == "fail" else "pass")


def test_certificate_from_a_live_tls_server(tmp_path, db):
    pem = cert_in(tmp_path, 90)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem, pem.with_suffix(".key"))
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve_once():
        conn, _ = server.accept()
        try:
            with context.wrap_socket(conn, server_side=True):
                pass
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve_once, daemon=True)
    thread.start()
    try:
        result = json.loads(
            run(
                "compliance_check",
                "--only",
                "tls_certificate",
                "--tls",
                f"127.0.0.1:{port}",
                "--format",
                "json",
            )
        )
    finally:
        thread.join(timeout=5)
        server.close()
    check = result["checks"][0]
    assert check["status"] == "pass"
    assert check["details"]["subject"] == "CN=branch.courier.example"
    assert 89 <= check["details"]["days_left"] <= 90


def test_an_unreachable_tls_endpoint_fails_clearly(db, closed_port):
    reason = fails("compliance_check", "--only", "tls_certificate", "--tls", f"127.0.0.1:{closed_port}")
    assert reason == f"compliance check failed: tls_certificate:127.0.0.1:{closed_port}"


def test_a_fresh_backup_passes_and_a_stale_one_fails(backup_dir, seeded, tmp_path):
    path = make_backup(backup_dir)
    assert "PASS  backup:" in run("compliance_check", "--only", "backup")
    backup = backup_set_for(path)
    manifest = backup.read_manifest()
    manifest["created_at"] = (datetime.now(UTC) - timedelta(hours=27)).isoformat()
    backup.manifest.write_text(json.dumps(manifest))
    backup.write_checksums()
    report = tmp_path / "r.txt"
    assert fails("compliance_check", "--only", "backup", "--output", str(report)) == (
        "compliance check failed: backup"
    )
    assert "FAIL  backup: newest backup is 27.0 h old (limit 26 h)" in report.read_text()


def test_a_corrupted_newest_backup_fails(backup_dir, seeded, tmp_path):
    path = make_backup(backup_dir)
    path.write_bytes(path.read_bytes() + b"junk")
    report = tmp_path / "r.txt"
    fails("compliance_check", "--only", "backup", "--output", str(report))
    assert f"checksum mismatch for {path.name}" in report.read_text()


def test_no_backup_at_all_fails(backup_dir, db, tmp_path):
    report = tmp_path / "r.txt"
    fails("compliance_check", "--only", "backup", "--output", str(report))
    assert "FAIL  backup: no backup found in" in report.read_text()


def test_debug_and_a_weak_secret_key_fail(settings, db, tmp_path):
    settings.DEBUG = True
    settings.SECRET_KEY = "short"
    report = tmp_path / "r.json"
    reason = fails(
        "compliance_check",
        "--only",
        "debug",
        "--only",
        "secret_key",
        "--format",
        "json",
        "--output",
        str(report),
    )
    assert reason == "compliance check failed: debug, secret_key"
    checks = {c["name"]: c for c in json.loads(report.read_text())["checks"]}
    assert checks["debug"]["message"] == "DEBUG is on"
    assert "weak" in checks["secret_key"]["message"]


def test_the_development_secret_key_fails(settings, db):
    settings.SECRET_KEY = "dev-only-insecure-key-change-me"
    fails("compliance_check", "--only", "secret_key")


def test_passing_checks_exit_0_and_write_a_json_report(settings, db, tmp_path):
    settings.DEBUG = False
    settings.SECRET_KEY = STRONG_KEY
    UserFactory(username="root", branch=None, is_superuser=True, is_staff=True)
    AuditLog.objects.create(timestamp=timezone.now(), action="POST /accounts/login/")
    report = tmp_path / "report.json"
    out = run(
        "compliance_check",
        *("--only", "debug", "--only", "secret_key", "--only", "superusers"),
        *("--only", "login_throttling", "--only", "audit_log", "--only", "migrations"),
        *("--format", "json", "--output", str(report)),
    )
    assert "All compliance checks passed." in out
    data = json.loads(report.read_text())
    assert data["status"] == "pass"
    assert {c["name"]: c["status"] for c in data["checks"]} == {
        "debug": "pass",
        "secret_key": "pass",
        "superusers": "pass",
        "login_throttling": "pass",
        "audit_log": "pass",
        "migrations": "pass",
    }


def test_too_many_superusers_fail(settings, db):
    settings.COMPLIANCE_MAX_SUPERUSERS = 1
    for n in range(2):
        UserFactory(username=f"root{n}", branch=None, is_superuser=True)
    fails("compliance_check", "--only", "superusers")


def test_login_throttling_switched_off_fails(settings, db):
    settings.AXES_ENABLED = False
    fails("compliance_check", "--only", "login_throttling")


def test_an_audit_log_silent_for_a_day_fails(db, tmp_path):
    AuditLog.objects.create(timestamp=timezone.now() - timedelta(hours=25), action="POST /x")
    report = tmp_path / "r.txt"
    fails("compliance_check", "--only", "audit_log", "--output", str(report))
    assert "nothing written to the audit log in 24 h" in report.read_text()


def test_deploy_check_warnings_fail_under_development_settings(db, tmp_path):
    report = tmp_path / "r.json"
    fails("compliance_check", "--only", "deploy_checks", "--format", "json", "--output", str(report))
    check = json.loads(report.read_text())["checks"][0]
    assert check["status"] == "fail"
    assert "security.W004" in check["message"]  # no HSTS outside production settings


def test_vulnerability_scan_is_skipped_visibly_when_its_source_is_unreachable(db, closed_port, monkeypatch):
    # Every HTTPS request of pip-audit goes to a closed local port: the source is unreachable.
    proxy = f"http://127.0.0.1:{closed_port}"
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    out = run("compliance_check", "--only", "vulnerabilities")
    assert "SKIP  vulnerabilities: SKIPPED:" in out
    assert "0 passed, 0 warnings, 0 failed, 1 skipped" in out


def test_a_full_run_lists_every_check_and_fails_here(backup_dir, db, tmp_path):
    report = tmp_path / "full.json"
    fails("compliance_check", "--skip", "vulnerabilities", "--format", "json", "--output", str(report))
    names = {c["name"].split(":")[0] for c in json.loads(report.read_text())["checks"]}
    assert names == {
        "tls_certificate",
        "backup",
        "deploy_checks",
        "migrations",
        "debug",
        "secret_key",
        "superusers",
        "login_throttling",
        "audit_log",
        "vulnerabilities",
    }


def test_pip_audit_reports_are_read_without_counting_unaudited_packages_as_clean():
    from branch_courier.ops.compliance import interpret_audit_report

    unreachable = {
        "dependencies": [{"name": "django", "version": "5.2", "skip_reason": "Dependency not found"}]
    }
    assert interpret_audit_report(unreachable).status == "skip"
    vulnerable = {
        "dependencies": [
            {"name": "django", "version": "5.2", "vulns": [{"id": "PYSEC-1"}]},
            {"name": "redis", "version": "8.2", "vulns": []},
        ]
    }
    result = interpret_audit_report(vulnerable)
    assert result.status == "fail"
    assert result.message == "1 vulnerable packages: django==5.2 (PYSEC-1)"
    clean = {
        "dependencies": [{"name": "redis", "version": "8.2", "vulns": []}, unreachable["dependencies"][0]]
    }
    assert (
        interpret_audit_report(clean).message
        == "1 packages audited, none known vulnerable (1 could not be audited)"
    )
