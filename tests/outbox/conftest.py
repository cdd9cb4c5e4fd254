"""Outbox fixtures: fast retry settings, partners pointed at the stub, a test-only topic."""

import pytest

from outbox import handlers
from outbox.models import OutboxMessage


@pytest.fixture
def fast_outbox(settings, partner_stub):
    """Retries due almost at once, every partner on the stub, a short partner timeout."""
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 0.01
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 0.02
    settings.OUTBOX_MAX_ATTEMPTS = 5
    settings.PARTNER_TIMEOUT = 2.0
    settings.TRACKING_SERVICE_URL = partner_stub.url
    settings.NOTIFICATION_SERVICE_URL = partner_stub.url
    return settings


def queue(n: int, *, topic: str = "tracking.event", prefix: str = "m") -> list[OutboxMessage]:
    from django.db import transaction

    from outbox.services import enqueue

    with transaction.atomic():
        return [enqueue(topic=topic, payload={"n": i}, key=f"{prefix}-{i}") for i in range(n)]


@pytest.fixture
def broken_topic():
    """A topic whose handler has a bug (raises something that is not a PartnerError)."""

    def handler(message):
        raise KeyError("oops")

    handlers._HANDLERS["test.broken"] = handler
    yield "test.broken"
    handlers._HANDLERS.pop("test.broken", None)
