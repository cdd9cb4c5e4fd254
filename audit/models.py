"""The audit trail: append-only rows that snapshot who did what, never foreign keys to data."""

from django.db import models


class AuditLog(models.Model):
    timestamp = models.DateTimeField(db_index=True)
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

    class Meta:
        ordering = ["-timestamp", "-id"]
        indexes = [
            models.Index(fields=["user_id", "-timestamp"], name="audit_user_ts_idx"),
            models.Index(fields=["object_type", "object_id", "-timestamp"], name="audit_object_idx"),
            models.Index(fields=["request_id"], name="audit_request_idx"),
            models.Index(fields=["action", "-timestamp"], name="audit_action_ts_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action}"
