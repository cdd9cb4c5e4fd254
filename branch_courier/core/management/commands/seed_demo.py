"""manage.py seed_demo: demo branches, staff of every role and an admin (idempotent), and packages."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from branch_courier.accounts.demo import seed_staff

DEFAULT_PASSWORD = "courier-demo-2026"  # noqa: S105 (demo data only; refused in production)
# Without --packages, a fresh database gets this many so the screens are not empty.
STARTER_PACKAGES = 40
STARTER_INQUIRIES = 12
# Scale data (--packages 100000 and more) spreads over this many branches unless --branches says.
SCALE_PACKAGES = 100_000
SCALE_BRANCHES = 50


class Command(BaseCommand):
    help = (
        "Create demo branches, one clerk, supervisor and auditor per branch, and an admin. "
        "Safe to run again: existing demo users get the given password. Also creates packages with "
        f"their histories: {STARTER_PACKAGES} when there are none yet, or --packages N more, and customer "
        f"inquiries about them: {STARTER_INQUIRIES} when there are none yet, or about 2 % of N. "
        "Refuses under production settings unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password for every demo user.")
        parser.add_argument("--force", action="store_true", help="Allow running under production settings.")
        parser.add_argument(
            "--packages",
            type=int,
            default=None,
            metavar="N",
            help=f"Add N demo packages (default: {STARTER_PACKAGES} if the database has none, else 0).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed for the demo packages.")
        parser.add_argument(
            "--branches",
            type=int,
            default=None,
            metavar="N",
            help=(
                "Top the active branches up to N, each with a clerk, supervisor and auditor "
                f"(default: {SCALE_BRANCHES} with --packages {SCALE_PACKAGES} or more, "
                "else the demo branches only)."
            ),
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=2,
            metavar="N",
            help="Worker processes inserting packages on PostgreSQL (default 2; SQLite uses one).",
        )

    def handle(self, *args, password, force, packages, seed, branches, jobs, **options):
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
        if jobs < 1:
            raise CommandError("--jobs must be 1 or more")
        self._seed_branches(branches, packages, options["verbosity"])
        made = self._seed_packages(packages, seed, jobs, options["verbosity"])
        # Manifests first: a dispatched bag moves its parcels to another branch, and an inquiry is
        # filed at the branch responsible for its parcel when it is made.
        self._seed_transit(options["verbosity"])
        self._seed_inquiries(made, packages is not None, seed, options["verbosity"])

    def _seed_transit(self, verbosity):
        from packages_app.demo_transit import seed_manifests

        made = seed_manifests()
        if verbosity >= 1 and made:
            self.stdout.write(self.style.SUCCESS(f"{made} demo manifests created."))

    def _seed_branches(self, total, packages, verbosity):
        from packages_app.demo import ensure_branches

        if total is None:
            total = SCALE_BRANCHES if (packages or 0) >= SCALE_PACKAGES else 0
        if total < 0:
            raise CommandError("--branches must be 0 or more")
        try:
            made = ensure_branches(total=total)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if made and verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"{made} more branches (with a clerk, supervisor and auditor each).")
            )

    def _seed_packages(self, count, seed, jobs, verbosity):
        # Imported here: core must not depend on packages_app at import time.
        from packages_app.demo import seed_packages
        from packages_app.models import Package

        if count is not None and count < 0:
            raise CommandError("--packages must be 0 or more")
        if count is None:
            count = 0 if Package.objects.exists() else STARTER_PACKAGES
        if count == 0:
            return 0
        started = time.monotonic()

        def progress(done, total):
            if verbosity >= 1:
                elapsed = time.monotonic() - started
                rate = done / max(elapsed, 0.001)
                left = (total - done) / max(rate, 0.001)
                ending = "\n" if done == total else "\r"
                self.stdout.write(
                    f"  packages {done:,}/{total:,} ({rate:,.0f}/s, {elapsed:,.0f} s, ~{left:,.0f} s left)",
                    ending=ending,
                )
                self.stdout.flush()

        try:
            made = seed_packages(
                count=count,
                seed=seed,
                jobs=jobs,
                progress=progress,
                note=lambda message: verbosity >= 1 and self.stdout.write(f"  {message}"),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            elapsed = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(f"{made:,} demo packages created in {elapsed:.1f} s."))
        return made

    def _seed_inquiries(self, packages_made, packages_given, seed, verbosity):
        # Imported here, like packages_app: core must not depend on the apps at import time.
        from inquiries_app.demo import RATE, seed_inquiries
        from inquiries_app.models import CustomerInquiry

        if packages_given:
            count = round(packages_made * RATE)
        else:
            count = 0 if CustomerInquiry.objects.exists() else STARTER_INQUIRIES
        if count == 0:
            return
        started = time.monotonic()

        def progress(done, total):
            if verbosity >= 1:
                ending = "\n" if done == total else "\r"
                self.stdout.write(f"  inquiries {done:,}/{total:,}", ending=ending)
                self.stdout.flush()

        try:
            made = seed_inquiries(count=count, seed=seed, progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            elapsed = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(f"{made:,} demo inquiries created in {elapsed:.1f} s."))
