"""The transactional outbox: messages for partner services, written in the sender's transaction.

A message is PENDING until a worker claims it (SENDING, leased until next_attempt_at), then SENT,
or PENDING again with a later next_attempt_at after a failure, or DEAD after too many failures.
A claim whose worker died simply becomes due again when its lease runs out.
"""

from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "PENDING", "Queued"
        SENDING = "SENDING", "Sending"
        SENT = "SENT", "Sent"
        DEAD = "DEAD", "Failed (dead)"

    UNFINISHED = (Status.PENDING, Status.SENDING)

    topic = models.CharField(max_length=64, help_text="Which handler delivers it, e.g. tracking.event.")
    # Sent to the partner as Idempotency-Key; unique, so enqueueing the same fact twice is a no-op.
    key = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict, help_text="What the handler needs; no personal data.")
    # What the message is about, e.g. "package:42", so a page can show its messages.
    subject = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # PENDING: not before this time. SENDING: the claim's lease runs out at this time.
    next_attempt_at = models.DateTimeField()
    # Why the last attempt failed (service and reason only), or a handler's note on a sent message.
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "outbox_messages"
        ordering = ["-created_at", "-id"]
        permissions = [("replay_outboxmessage", "Can replay dead outbox messages")]
        indexes = [
            # The worker's claim: unfinished messages that are due, oldest due first. Partial, so it
            # holds only the (normally tiny) backlog, never the sent history.
            models.Index(
                fields=["next_attempt_at"], name="outbox_due", condition=Q(status__in=["PENDING", "SENDING"])
            ),
            # /health's "oldest unfinished message" and the pending count.
            models.Index(
                fields=["created_at"], name="outbox_backlog", condition=Q(status__in=["PENDING", "SENDING"])
            ),
            # The admin's and the metrics' dead letters.
            models.Index(fields=["created_at"], name="outbox_dead", condition=Q(status="DEAD")),
            # A package page's notifications.
            models.Index(fields=["subject", "created_at"], name="outbox_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["PENDING", "SENDING", "SENT", "DEAD"]), name="outbox_status_valid"
            ),
            models.CheckConstraint(condition=~Q(key=""), name="outbox_key_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.key} ({self.status})"
