"""manage.py purge_outbox: delete sent outbox messages older than the retention (housekeeping)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from outbox.models import OutboxMessage

BATCH = 1000


class Command(BaseCommand):
    help = (
        "Delete SENT outbox messages older than --days (default OUTBOX_SENT_RETENTION_DAYS). Queued and "
        "dead messages are never touched. Dry run (counts only) unless --for-real."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Keep sent messages this many days.")
        parser.add_argument("--for-real", action="store_true", help="Delete; without it only count.")

    def handle(self, *args, days, for_real, **options):
        verbosity = options["verbosity"]
        days = settings.OUTBOX_SENT_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1")
        old = OutboxMessage.objects.filter(
            status=OutboxMessage.Status.SENT, sent_at__lt=timezone.now() - timedelta(days=days)
        )
        if not for_real:
            count = old.count()
            if verbosity >= 1:
                self.stdout.write(
                    self.style.WARNING(
                        f"Dry run: {count} sent message(s) older than {days} days; --for-real deletes."
                    )
                )
            return
        deleted = 0
        while True:
            ids = list(old.order_by("id").values_list("id", flat=True)[:BATCH])
            if not ids:
                break
            deleted += OutboxMessage.objects.filter(pk__in=ids).delete()[0]
            if verbosity >= 2:
                self.stdout.write(f"... {deleted} deleted")
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"{deleted} sent message(s) older than {days} days deleted.")
            )
