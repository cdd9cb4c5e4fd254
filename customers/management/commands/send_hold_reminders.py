"""manage.py send_hold_reminders: queue reminders for holds that end soon (a daily CronJob)."""

from django.core.management.base import BaseCommand

from customers.reminders import queue_hold_reminders


class Command(BaseCommand):
    help = (
        "Queue a reminder (SMS or e-mail, through the outbox) for each package ready for pickup whose "
        "hold ends within HOLD_REMINDER_DAYS. Safe to run twice or concurrently: each package and "
        "hold date is reminded once."
    )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]

        def progress(queued, existing):
            if verbosity >= 2:
                self.stdout.write(f"... {queued} queued, {existing} already queued")

        queued, existing = queue_hold_reminders(progress=progress)
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"{queued} hold reminder(s) queued; {existing} had been queued before.")
            )
