"""manage.py purge_audit_log: delete audit rows past AUDIT_RETENTION_DAYS (dry run unless --for-real)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from audit import db as audit_db
from audit.retention import PurgeLockedError, purge_expired, purge_plan
from audit.services import audit_record


class Command(BaseCommand):
    help = (
        "Delete audit rows older than AUDIT_RETENTION_DAYS (default 365). Without --for-real it "
        "only counts what would go. The purge itself is written to the audit trail. Exit 1 on failure."
    )

    def add_arguments(self, parser):
        parser.add_argument("--for-real", action="store_true", help="Actually delete (default: dry run).")
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="Rows per transaction (default 5000)."
        )

    def handle(self, *args, for_real: bool, batch_size: int, **options):
        verbosity = options["verbosity"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        self._check_database_retention()
        plan = purge_plan()
        if verbosity >= 1:
            self.stdout.write(
                f"Retention {plan.retention_days} days: cutoff {plan.cutoff:%Y-%m-%d %H:%M:%S} UTC; "
                f"{plan.expired} row(s) older, {plan.kept} kept."
            )
        if not for_real:
            if verbosity >= 1:
                self.stdout.write(
                    self.style.WARNING(f"Dry run: would delete {plan.expired} row(s). Use --for-real.")
                )
            return
        if plan.expired == 0:
            if verbosity >= 1:
                self.stdout.write(self.style.SUCCESS("Nothing to purge."))
            return

        def progress(done: int) -> None:
            if verbosity >= 2:
                self.stdout.write(f"  deleted {done}/{plan.expired}")

        try:
            deleted = purge_expired(cutoff=plan.cutoff, batch_size=batch_size, on_batch=progress)
        except PurgeLockedError as exc:
            raise CommandError(f"{exc}; try again when it has finished") from exc
        except DatabaseError as exc:
            raise CommandError(f"purge refused by the database: {str(exc).splitlines()[0]}") from exc
        audit_record(
            action="audit.purge",
            changes={"deleted": deleted, "cutoff": plan.cutoff, "retention_days": plan.retention_days},
        )
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} audit row(s) older than the cutoff."))

    def _check_database_retention(self) -> None:
        """On PostgreSQL the trigger trusts its own number; say plainly when the two disagree."""
        try:
            in_db = audit_db.database_retention_days(connection)
        except DatabaseError as exc:
            raise CommandError(f"cannot read the audit retention from the database: {exc}") from exc
        if in_db is not None and in_db > settings.AUDIT_RETENTION_DAYS:
            raise CommandError(
                f"AUDIT_RETENTION_DAYS={settings.AUDIT_RETENTION_DAYS} but the database trigger keeps "
                f"{in_db} days; run `manage.py migrate` with the new setting first"
            )
