"""manage.py verify_backup FILE: prove a backup restores and holds what its manifest says."""

from django.core.management.base import BaseCommand, CommandError

from branch_courier.ops.common import OpsError
from branch_courier.ops.restore import verify_backup


class Command(BaseCommand):
    help = (
        "Check FILE's SHA-256, restore it into a scratch database that is created and dropped again "
        "(PostgreSQL; SQLite: a temporary file), compare every table's row count and the applied "
        "migrations with the manifest and run integrity queries (indexes, constraints, sequences). "
        "Exit 1 with the reason on any mismatch, corruption or truncation."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="The backup (db_backup_….sql.gz); its .sha256 and manifest sit beside it."
        )

    def handle(self, *args, file, verbosity, **options):
        try:
            result = verify_backup(file, progress_stream=self.stdout if verbosity >= 1 else None)
        except OpsError as exc:
            raise CommandError(f"backup verification failed: {exc}") from exc
        if verbosity >= 2:
            for table, count in sorted(result.counts.items()):
                self.stdout.write(f"  {table}: {count}")
        if verbosity >= 1:
            for check in result.checks:
                self.stdout.write(f"  ok: {check}")
            rows = sum(result.counts.values())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Backup {result.backup.dump.name} verified in {result.seconds:.1f}s "
                    f"({len(result.counts)} tables, {rows} rows)."
                )
            )
