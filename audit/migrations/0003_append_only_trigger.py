"""PostgreSQL: a trigger makes the audit table append-only (see audit/db.py and docs/audit.md)."""

from django.conf import settings
from django.db import migrations

from audit import db as audit_db


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: the ORM guards in audit/models.py refuse updates and deletes
    audit_db.install_retention(schema_editor.connection, settings.AUDIT_RETENTION_DAYS)
    # A plain cursor, no params: the SQL holds % signs that are not placeholders.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(audit_db.CREATE_TRIGGER_SQL)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(audit_db.DROP_TRIGGER_SQL)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_indexes_and_utc_default")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
