"""manage.py run_outbox: deliver queued outbox messages to the partner services."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from outbox import handlers
from outbox.worker import Run


class Command(BaseCommand):
    help = (
        "Deliver outbox messages to partner services: claim due messages (SKIP LOCKED on PostgreSQL, "
        "so several workers can run), send each with its idempotency key, retry failures with "
        "exponential backoff and jitter, park them as dead after OUTBOX_MAX_ATTEMPTS. Runs until "
        "SIGTERM (finishing the message in hand) unless bounded by --once/--max-messages/--max-seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Deliver what is due now, then exit.")
        parser.add_argument("--max-messages", type=int, default=0, help="Exit after this many deliveries.")
        parser.add_argument("--max-seconds", type=float, default=0, help="Exit after this many seconds.")
        parser.add_argument(
            "--poll-seconds",
            type=float,
            default=None,
            help="Sleep between polls when nothing is due (default OUTBOX_POLL_SECONDS).",
        )
        parser.add_argument(
            "--metrics-port",
            type=int,
            default=None,
            help="Serve Prometheus metrics on this port (default OUTBOX_METRICS_PORT; 0 = off).",
        )

    def handle(self, *args, once, max_messages, max_seconds, poll_seconds, metrics_port, **options):
        verbosity = options["verbosity"]
        if max_messages < 0 or max_seconds < 0:
            raise CommandError("--max-messages and --max-seconds must not be negative")
        poll = settings.OUTBOX_POLL_SECONDS if poll_seconds is None else poll_seconds
        if poll <= 0:
            raise CommandError("--poll-seconds must be positive")
        port = settings.OUTBOX_METRICS_PORT if metrics_port is None else metrics_port
        if port:
            from prometheus_client import start_http_server

            try:
                start_http_server(port)
            except OSError as exc:
                raise CommandError(f"cannot serve metrics on port {port}: {exc.strerror}") from exc

        def progress(message, result):
            if verbosity >= 2:
                self.stdout.write(f"{message.topic} {message.key}: {result}")

        run = Run(
            once=once,
            max_messages=max_messages,
            max_seconds=max_seconds,
            poll_seconds=poll,
            gauges_every=settings.OUTBOX_GAUGE_SECONDS if port else 0.0,
            on_result=progress,
        )
        run.stop.install()
        if verbosity >= 1:
            self.stdout.write(f"outbox worker started; topics: {', '.join(handlers.topics()) or 'none'}")
        results = run.loop()
        summary = ", ".join(f"{results[k]} {k.lower()}" for k in sorted(results)) or "nothing due"
        if verbosity >= 1:
            style = self.style.WARNING if results.get("DEAD") else self.style.SUCCESS
            self.stdout.write(style(f"outbox worker stopped: {summary}"))
