"""The S10 serial SEQUENCE on PostgreSQL and a starter tariff that admins then edit."""

from decimal import Decimal

from django.db import migrations

SEQUENCE = "packages_tracking_serial_seq"

BANDS_GRAMS = [500, 1000, 2000, 5000, 10000, 20000, 30000]
STANDARD = ["4.50", "6.00", "8.50", "12.00", "18.00", "27.00", "36.00"]
EXPRESS = ["8.00", "10.50", "14.00", "19.50", "28.00", "41.00", "55.00"]


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} MINVALUE 1 MAXVALUE 99999999 NO CYCLE")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


def starter_tariff(apps, schema_editor):
    Tariff = apps.get_model("packages_app", "Tariff")
    for service, prices in (("STANDARD", STANDARD), ("EXPRESS", EXPRESS)):
        for grams, price in zip(BANDS_GRAMS, prices, strict=True):
            Tariff.objects.get_or_create(
                service=service, max_weight_grams=grams, defaults={"price": Decimal(price)}
            )


class Migration(migrations.Migration):
    dependencies = [("packages_app", "0001_initial")]

    operations = [
        migrations.RunPython(create_sequence, drop_sequence),
        migrations.RunPython(starter_tariff, migrations.RunPython.noop),
    ]
