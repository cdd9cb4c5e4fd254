"""manage.py compliance_check: the daily checklist (certificates, backups, settings, audit...)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from branch_courier.ops import compliance, metrics

MARK = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "skip": "SKIP"}


class Command(BaseCommand):
    help = (
        "Run the compliance checks: TLS certificate expiry (PEM file or host:port; warn under 30 "
        "days, fail under 7), newest backup age (fail over 26 h) and checksum, check --deploy, "
        "unapplied migrations, DEBUG, SECRET_KEY strength, superuser count, login throttling, audit "
        "log written in the last 24 h, and known-vulnerable packages (pip-audit; skipped with a "
        f"notice when unreachable). Checks: {', '.join(compliance.CHECKS)}. Exit 0 when nothing "
        "fails (warnings allowed), 1 otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--tls",
            action="append",
            default=None,
            metavar="PEM_OR_HOST:PORT",
            help="Certificate to check; repeatable (default: COMPLIANCE_TLS_TARGETS).",
        )
        parser.add_argument("--backup-dir", help="Where backups are (default: BACKUP_DIR).")
        parser.add_argument(
            "--only", action="append", choices=list(compliance.CHECKS), help="Run only these."
        )
        parser.add_argument(
            "--skip", action="append", choices=list(compliance.CHECKS), default=[], help="Skip these."
        )
        parser.add_argument("--format", choices=["human", "json"], default="human")
        parser.add_argument("--output", help="Write the report to this file instead of stdout.")

    def handle(self, *args, tls, backup_dir, only, skip, format, output, verbosity, **options):  # noqa: A002
        opts = compliance.Options(
            tls_targets=tls if tls is not None else list(settings.COMPLIANCE_TLS_TARGETS),
            backup_dir=Path(backup_dir or settings.BACKUP_DIR).expanduser().resolve(),
            max_backup_age=settings.COMPLIANCE_MAX_BACKUP_AGE,
            max_superusers=settings.COMPLIANCE_MAX_SUPERUSERS,
        )
        names = [name for name in (only or compliance.CHECKS) if name not in skip]
        results = compliance.run_checks(opts, names)
        results += [compliance.CheckResult(name, "skip", "SKIPPED: --skip") for name in skip]
        failed = [r.name for r in results if r.status == "fail"]
        metrics.record_compliance(results=results, certificates=opts.certificates)

        if format == "json":
            report = json.dumps(
                {
                    "status": "fail" if failed else "pass",
                    "generated_at": timezone.now().isoformat(),
                    "app_version": settings.APP_VERSION,
                    "checks": [r.as_dict() for r in results],
                },
                indent=2,
            )
        else:
            lines = [f"{MARK[r.status]}  {r.name}: {r.message}" for r in results]
            if verbosity >= 2:
                for r in results:
                    for message in r.details.get("messages", []):
                        lines.append(f"      {r.name}: {message}")
            counts = {s: sum(r.status == s for r in results) for s in MARK}
            lines.append(
                f"{counts['pass']} passed, {counts['warn']} warnings, "
                f"{counts['fail']} failed, {counts['skip']} skipped"
            )
            report = "\n".join(lines)
        if output:
            try:
                Path(output).write_text(report + "\n", encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot write report to {output}: {exc.strerror}") from exc
            if verbosity >= 1:
                self.stdout.write(f"Report written to {output}")
        else:
            self.stdout.write(report)
        if failed:
            raise CommandError(f"compliance check failed: {', '.join(failed)}")
        if verbosity >= 1 and output:
            self.stdout.write(self.style.SUCCESS("All compliance checks passed."))
