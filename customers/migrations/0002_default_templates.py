"""The starter English notification templates, so admins have rows to edit (texts as of this migration)."""

from django.db import migrations

TEMPLATES = {'hold_reminder': {'html': '<p>Hello {{ name }},</p><p>parcel <strong>{{ tracking_number '
                           '}}</strong> waits for you at {{ branch_name }}, {{ branch_address }} '
                           '({{ opening_hours }}) until {{ hold_until }}; after that it goes back '
                           'to the sender.</p>',
                   'subject': 'Reminder: collect parcel {{ tracking_number }} by {{ hold_until }}',
                   'text': 'Hello {{ name }}, parcel {{ tracking_number }} waits for you at {{ '
                           'branch_name }}, {{ branch_address }} ({{ opening_hours }}) until {{ '
                           'hold_until }}; after that it goes back to the sender.'},
 'ready_for_pickup': {'html': '<p>Hello {{ name }},</p><p>your parcel <strong>{{ tracking_number '
                              '}}</strong> is ready for pickup at {{ branch_name }}, {{ '
                              'branch_address }} ({{ opening_hours }}).</p><p>We keep it until {{ '
                              'hold_until }}.</p><p><a href="{{ track_url }}">Track it</a></p>',
                      'subject': 'Your parcel {{ tracking_number }} is ready for pickup',
                      'text': 'Hello {{ name }}, your parcel {{ tracking_number }} is ready for '
                              'pickup at {{ branch_name }}, {{ branch_address }} ({{ opening_hours '
                              '}}). We keep it until {{ hold_until }}. Track it: {{ track_url }}'},
 'returned': {'html': '<p>Hello {{ name }},</p><p>your parcel <strong>{{ tracking_number '
                      '}}</strong> could not be delivered and is back at {{ branch_name }}, {{ '
                      'branch_address }} ({{ opening_hours }}). Please collect it.</p>',
              'subject': 'Parcel {{ tracking_number }} has come back to you',
              'text': 'Hello {{ name }}, your parcel {{ tracking_number }} could not be delivered '
                      'and is back at {{ branch_name }}, {{ branch_address }} ({{ opening_hours '
                      '}}). Please collect it.'}}


def add_templates(apps, schema_editor):
    NotificationTemplate = apps.get_model("customers", "NotificationTemplate")
    for event, texts in TEMPLATES.items():
        NotificationTemplate.objects.get_or_create(event=event, language="en", defaults=texts)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(add_templates, migrations.RunPython.noop)]
