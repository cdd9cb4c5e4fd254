"""manage.py restore_database FILE: the disaster-recovery path (dry-run unless --for-real)."""

from django.core.management.base import BaseCommand, CommandError

from branch_courier.ops.common import OpsError
from branch_courier.ops.restore import plan_restore, refuse_unless_forced, restore_database


class Command(BaseCommand):
    help = (
        "Restore FILE (made by backup_database) into the configured database, or --target-db. "
        "Checks the checksums and reads the whole file first. Only says what it would do unless "
        "--for-real; refuses a database that already has tables unless --force, and then replaces "
        "its public schema in the same transaction as the load, so a failed restore changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup (db_backup_….sql.gz) with its .sha256 and manifest.")
        parser.add_argument("--for-real", action="store_true", help="Actually restore (default: dry run).")
        parser.add_argument(
            "--force", action="store_true", help="Replace the contents of a non-empty database."
        )
        parser.add_argument(
            "--target-db",
            help="Restore into this database on the same server (SQLite: this file), e.g. for a drill.",
        )

    def handle(self, *args, file, for_real, force, target_db, verbosity, **options):
        try:
            plan = plan_restore(file, target=target_db)
            manifest = plan.manifest
            rows = sum(manifest["tables"].values())
            summary = (
                f"{plan.backup.dump.name} (taken {manifest['created_at']}, "
                f"app {manifest.get('app_version')}, "
                f"{len(manifest['tables'])} tables, {rows} rows) into database {plan.target}"
            )
            refuse_unless_forced(plan, force=force)
            if not for_real:
                what = f" replacing its {plan.existing_tables} tables" if plan.existing_tables else ""
                self.stdout.write(self.style.WARNING(f"Dry run: would restore {summary}{what}."))
                self.stdout.write("Checksums and the compressed stream are fine. Run again with --for-real.")
                return
            if verbosity >= 1:
                self.stdout.write(f"Restoring {summary}...")
            restore_database(plan, force=force, progress_stream=self.stdout if verbosity >= 1 else None)
        except OpsError as exc:
            raise CommandError(f"restore failed: {exc}") from exc
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Restored {plan.target} in {plan.seconds:.1f}s; row counts match the manifest."
                )
            )
