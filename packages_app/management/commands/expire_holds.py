"""manage.py expire_holds: the daily cron that sends uncollected packages back to their senders."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from packages_app.holds import expire_holds


class Command(BaseCommand):
    help = (
        "Move READY_FOR_PICKUP packages whose hold_until has passed to RETURN_TO_SENDER. "
        "Safe to run twice or concurrently; --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the expired holds, change nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        def progress(done, total):
            if verbosity >= 2:
                self.stdout.write(f"  {done}/{total}")

        try:
            result = expire_holds(dry_run=dry_run, progress=progress)
        except DatabaseError as exc:
            raise CommandError(f"expire_holds failed: {exc}".splitlines()[0]) from exc
        if dry_run:
            self.stdout.write(
                self.style.WARNING(f"Dry run: {result.due} expired hold(s) would go back to sender.")
            )
            return
        message = (
            f"{result.moved} package(s) sent back to sender; {result.skipped} skipped (taken by another run)."
        )
        if verbosity:
            self.stdout.write(self.style.SUCCESS(message))
