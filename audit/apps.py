from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_retention(sender, using="default", **kwargs):
    """After every `migrate`, the trigger's retention follows AUDIT_RETENTION_DAYS (PostgreSQL)."""
    from django.conf import settings
    from django.db import connections

    from audit import db as audit_db

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('audit_retention_days()') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return  # migrated backwards past 0003: there is no trigger to feed
    audit_db.install_retention(connection, settings.AUDIT_RETENTION_DAYS)


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from audit import receivers  # noqa: F401 (connects the sign-in signals)

        post_migrate.connect(_sync_retention, sender=self, dispatch_uid="audit.sync_retention")
