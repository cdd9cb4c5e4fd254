"""PostgreSQL: a trigram index so "search by name" (ILIKE '%…%') does not read a branch's every row.

pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. If the role may
not, the migration says so and goes on; name search then still works, only slower.
"""

from django.db import migrations, transaction

INDEX = "pkg_names_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as exc:  # noqa: BLE001 (a missing privilege must not block the deploy)
        print(f"\n  pg_trgm not available ({exc.__class__.__name__}); name search runs without its index")
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON packages "
        # The expressions Django writes for icontains on PostgreSQL: UPPER(col::text) LIKE UPPER(%s).
        "USING gin ((UPPER(recipient_name::text)) gin_trgm_ops, (UPPER(sender_name::text)) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("packages_app", "0002_tracking_sequence_and_tariffs")]

    operations = [migrations.RunPython(create, drop)]
