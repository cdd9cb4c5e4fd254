"""The ops guide's partial index (its name is too long for Meta.indexes) and the default SLA hours."""

from django.db import migrations

OPEN_INDEX = "idx_customer_inquiries_created_at"
DEFAULT_HOURS = {"LOW": 72, "NORMAL": 48, "HIGH": 24, "URGENT": 4}


def create_sla_defaults(apps, schema_editor):
    SlaPolicy = apps.get_model("inquiries_app", "SlaPolicy")
    for priority, hours in DEFAULT_HOURS.items():
        SlaPolicy.objects.get_or_create(priority=priority, defaults={"hours": hours})


class Migration(migrations.Migration):
    dependencies = [("inquiries_app", "0001_initial")]

    operations = [
        # Plain CREATE INDEX (not CONCURRENTLY): the table is new and empty when this runs.
        # PostgreSQL and SQLite both support partial indexes with this syntax.
        migrations.RunSQL(
            sql=f"CREATE INDEX {OPEN_INDEX} ON customer_inquiries (created_at DESC) WHERE status = 'OPEN'",
            reverse_sql=f"DROP INDEX {OPEN_INDEX}",
        ),
        migrations.RunPython(create_sla_defaults, migrations.RunPython.noop),
    ]
