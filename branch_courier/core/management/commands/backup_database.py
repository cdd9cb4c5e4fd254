"""manage.py backup_database: a compressed, checksummed, manifested backup of the database."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from branch_courier.ops.backup import create_backup
from branch_courier.ops.common import OpsError, human_bytes


class Command(BaseCommand):
    help = (
        "Back up the database to BACKUP_DIR as db_backup_YYYYmmdd_HHMMSS.sql.gz (pg_dump; SQLite: "
        ".sqlite3.gz through its online backup API) with a .manifest.json (app version, migrations, "
        "server version, row count of every table from the dump's own snapshot) and a .sha256 file. "
        "Deletes sets older than --keep-days, uploads to BACKUP_S3_URL when set. Takes a lock so two "
        "runs never overlap; on any failure nothing partial is left and the exit code is 1. Prints "
        "the final path."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", dest="directory", help="Backup directory (default: BACKUP_DIR).")
        parser.add_argument(
            "--keep-days",
            type=int,
            default=None,
            help="Delete backup sets older than this many days (default: BACKUP_KEEP_DAYS, 7).",
        )

    def handle(self, *args, directory, keep_days, verbosity, **options):
        directory = Path(directory or settings.BACKUP_DIR)
        keep_days = settings.BACKUP_KEEP_DAYS if keep_days is None else keep_days
        try:
            result = create_backup(
                directory=directory,
                keep_days=keep_days,
                progress_stream=self.stdout if verbosity >= 1 else None,
            )
        except OpsError as exc:
            raise CommandError(f"backup failed: {exc}") from exc
        manifest = result.manifest
        if verbosity >= 1:
            rows = sum(manifest["tables"].values())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Backup done in {result.seconds:.1f}s: {human_bytes(manifest['size_bytes'])}, "
                    f"{len(manifest['tables'])} tables, {rows} rows."
                )
            )
            for path in result.pruned:
                self.stdout.write(f"Deleted old backup {path.name}")
            if result.uploaded_to:
                self.stdout.write(f"Uploaded to {result.uploaded_to}")
        if verbosity >= 2:
            for table, count in manifest["tables"].items():
                self.stdout.write(f"  {table}: {count}")
        self.stdout.write(str(result.backup.dump))
