"""manage.py seed_demo: demo branches, staff of every role and an admin (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from branch_courier.accounts.demo import seed_staff

DEFAULT_PASSWORD = "courier-demo-2026"  # noqa: S105 (demo data only; refused in production)


class Command(BaseCommand):
    help = (
        "Create demo branches, one clerk, supervisor and auditor per branch, and an admin. "
        "Safe to run again: existing demo users get the given password. Refuses under production "
        "settings unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password for every demo user.")
        parser.add_argument("--force", action="store_true", help="Allow running under production settings.")

    def handle(self, *args, password, force, **options):
        if settings.SETTINGS_MODULE.endswith(".production") and not force:
            raise CommandError("refusing to seed demo data under production settings (use --force)")
        if len(password) < 8:
            raise CommandError("--password must be at least 8 characters")
        usernames = seed_staff(password=password)
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Demo staff ready ({len(usernames)} users):"))
            for name in usernames:
                self.stdout.write(f"  {name}")
            self.stdout.write(f"Password for all of them: {password}")
