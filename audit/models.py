"""The audit trail: append-only rows that snapshot who did what, never foreign keys to data.

Append-only is enforced twice: here, the ORM refuses to update or delete a row (on every
database), and on PostgreSQL a trigger (migration 0003) refuses UPDATE and DELETE from any SQL
client. The only way rows leave is audit.retention.purge_expired(), used by purge_audit_log.
"""

from django.db import models
from django.utils import timezone


class AuditLogImmutableError(Exception):
    """Raised when code tries to change or delete an audit row through the ORM."""


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogImmutableError("the audit trail is append-only: rows cannot be updated")

    def delete(self):
        raise AuditLogImmutableError(
            "the audit trail is append-only: rows leave only through manage.py purge_audit_log"
        )

    # bulk_update() goes through update(); kept explicit so the message names what was tried.
    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogImmutableError("the audit trail is append-only: rows cannot be updated")


class AuditLog(models.Model):
    # Always written as timezone.now() (aware, UTC); PostgreSQL stores timestamptz.
    timestamp = models.DateTimeField(default=timezone.now)
    user_id = models.BigIntegerField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True)
    branch_code = models.CharField(max_length=8, blank=True)
    action = models.CharField(max_length=200)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-timestamp", "-id"]
        # Every auditor query is "some filter, newest first, within a time range": each index
        # leads with the filter column and ends with the timestamp so the range and the order
        # come from the index. audit_ts_idx also serves the unfiltered list and the purge.
        indexes = [
            models.Index(fields=["-timestamp", "-id"], name="audit_ts_idx"),
            models.Index(fields=["branch_code", "-timestamp"], name="audit_branch_ts_idx"),
            models.Index(fields=["user_id", "-timestamp"], name="audit_user_ts_idx"),
            models.Index(fields=["object_type", "object_id", "-timestamp"], name="audit_object_idx"),
            models.Index(fields=["request_id"], name="audit_request_idx"),
            models.Index(fields=["ip", "-timestamp"], name="audit_ip_ts_idx"),
            models.Index(fields=["action", "-timestamp"], name="audit_action_ts_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action}"

    def save(self, *args, **kwargs):
        # A guard, not business logic: an existing row is never written again.
        if not self._state.adding:
            raise AuditLogImmutableError("the audit trail is append-only: rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutableError(
            "the audit trail is append-only: rows leave only through manage.py purge_audit_log"
        )
