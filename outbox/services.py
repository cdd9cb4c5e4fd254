"""Writing, claiming, delivering and replaying outbox messages (the one place for each rule)."""

import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from audit.services import audit_record
from outbox import handlers
from outbox.metrics import DELIVERIES, DELIVERY_LATENCY
from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status


def enqueue(*, topic: str, payload: dict, key: str, subject: str = "") -> OutboxMessage | None:
    """Queue a message in the caller's transaction; None if a message with this key exists.

    Call it inside the transaction that makes the change (a rolled-back change queues nothing).
    The key makes enqueueing idempotent: the same fact enqueued twice is delivered once.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("outbox.enqueue must run inside the transaction that makes the change")
    now = timezone.now()
    try:
        # A savepoint, so a duplicate key leaves the caller's transaction usable (PostgreSQL).
        with transaction.atomic():
            return OutboxMessage.objects.create(
                topic=topic,
                key=key,
                payload=payload,
                subject=subject,
                status=Status.PENDING,
                next_attempt_at=now,
                created_at=now,
            )
    except IntegrityError:
        if OutboxMessage.objects.filter(key=key).exists():
            return None
        raise


@dataclass(frozen=True)
class Claim:
    message: OutboxMessage
    attempt: int  # the fencing token: only the holder of this attempt may finish the message


def claim_next(*, now=None) -> Claim | None:
    """Take the oldest due message for this worker, or None when nothing is due.

    PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so workers on several machines never take the same
    row and never wait for each other. SQLite: the claim transaction begins IMMEDIATE (settings),
    which serialises claims across processes; the conditional UPDATE below guards both.
    The claim is a lease: status SENDING until next_attempt_at; a worker that dies mid-send leaves
    the message due again when the lease runs out (OUTBOX_LEASE_SECONDS).
    """
    now = now or timezone.now()
    due = _due(now)
    with transaction.atomic():
        row = next(iter(claim_queryset(now)), None)
        if row is None:
            return None
        pk, attempts = row
        taken = OutboxMessage.objects.filter(due, pk=pk, attempts=attempts).update(
            status=Status.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
        )
        if not taken:
            return None
    return Claim(message=OutboxMessage.objects.get(pk=pk), attempt=attempts + 1)


def _due(now) -> Q:
    return Q(status__in=OutboxMessage.UNFINISHED, next_attempt_at__lte=now)


def claim_queryset(now):
    """The claim's SELECT (EXPLAIN-checked in tests: it uses the partial index outbox_due)."""
    return (
        OutboxMessage.objects.select_for_update(skip_locked=True)
        .filter(_due(now))
        .order_by("next_attempt_at", "id")
        .values_list("id", "attempts")[:1]
    )


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter: base·2^(attempt-1), capped, then a random half to all of it.

    The jitter spreads retries of many messages that failed together (a partner outage), so they
    do not all hit the partner again in the same second when it comes back.
    """
    ceiling = min(
        settings.OUTBOX_BACKOFF_MAX_SECONDS, settings.OUTBOX_BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 (jitter, not security)


def deliver(claim: Claim) -> str:
    """Run the handler for a claimed message and record the outcome: SENT, retry later, or DEAD."""
    from branch_courier.integrations.http import PartnerError

    message = claim.message
    handler = handlers.handler_for(message.topic)
    if handler is None:
        return _finish_failure(claim, f"no handler for topic {message.topic}", retryable=False)
    try:
        note = handler(message) or ""
    except PartnerError as exc:
        return _finish_failure(claim, str(exc), retryable=exc.retryable)
    except Exception as exc:  # a bug in a handler must not stop the worker; the message waits
        logger.exception("outbox handler failed", extra={"topic": message.topic, "message_id": message.pk})
        return _finish_failure(claim, f"{type(exc).__name__} in handler", retryable=True)
    now = timezone.now()
    done = _ours(claim).update(status=Status.SENT, sent_at=now, last_error=str(note)[:300])
    if done:
        DELIVERIES.labels(topic=message.topic, result="sent").inc()
        DELIVERY_LATENCY.labels(topic=message.topic).observe((now - message.created_at).total_seconds())
        return Status.SENT
    # Our lease ran out and another worker took the message; it will finish it (the partner
    # dedupes on the key, so the second send is harmless).
    logger.warning("outbox lease lost", extra={"topic": message.topic, "message_id": message.pk})
    return "LEASE_LOST"


def _ours(claim: Claim):
    return OutboxMessage.objects.filter(pk=claim.message.pk, status=Status.SENDING, attempts=claim.attempt)


def _finish_failure(claim: Claim, error: str, *, retryable: bool) -> str:
    message = claim.message
    error = error[:300]
    if retryable and claim.attempt < settings.OUTBOX_MAX_ATTEMPTS:
        retry_at = timezone.now() + timedelta(seconds=backoff_seconds(claim.attempt))
        _ours(claim).update(status=Status.PENDING, next_attempt_at=retry_at, last_error=error)
        DELIVERIES.labels(topic=message.topic, result="retry").inc()
        logger.info(
            "outbox delivery failed, will retry",
            extra={
                "topic": message.topic,
                "message_id": message.pk,
                "attempt": claim.attempt,
                "error": error,
            },
        )
        return Status.PENDING
    _ours(claim).update(status=Status.DEAD, last_error=error)
    DELIVERIES.labels(topic=message.topic, result="dead").inc()
    logger.error(
        "outbox message is dead",
        extra={"topic": message.topic, "message_id": message.pk, "attempt": claim.attempt, "error": error},
    )
    return Status.DEAD


@transaction.atomic
def replay(*, messages, actor) -> int:
    """Give dead messages a fresh start (admin action); returns how many were requeued."""
    ids = list(
        OutboxMessage.objects.select_for_update()
        .filter(pk__in=[m.pk for m in messages], status=Status.DEAD)
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    OutboxMessage.objects.filter(pk__in=ids).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    audit_record(
        action="outbox.replay",
        actor=actor,
        object_type="outbox_message",
        object_id=str(ids[0]) if len(ids) == 1 else "",
        changes={"messages": ids[:100], "count": len(ids)},
    )
    return len(ids)


def backlog() -> dict:
    """Counts and the age of the oldest unfinished message (for /health and the metrics)."""
    now = timezone.now()
    unfinished = OutboxMessage.objects.filter(status__in=OutboxMessage.UNFINISHED).aggregate(
        pending=Count("id"), oldest=Min("created_at")
    )
    dead = OutboxMessage.objects.filter(status=Status.DEAD).count()
    oldest = unfinished["oldest"]
    return {
        "pending": unfinished["pending"],
        "dead": dead,
        "oldest_pending_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0.0,
    }
