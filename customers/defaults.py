"""The starter notification texts (English), used when no NotificationTemplate matches."""

DEFAULTS = {
    "ready_for_pickup": {
        "subject": "Your parcel {{ tracking_number }} is ready for pickup",
        "text": (
            "Hello {{ name }}, your parcel {{ tracking_number }} is ready for pickup at "
            "{{ branch_name }}, {{ branch_address }} ({{ opening_hours }}). We keep it until "
            "{{ hold_until }}. Track it: {{ track_url }}"
        ),
        "html": (
            "<p>Hello {{ name }},</p><p>your parcel <strong>{{ tracking_number }}</strong> is ready "
            "for pickup at {{ branch_name }}, {{ branch_address }} ({{ opening_hours }}).</p>"
            '<p>We keep it until {{ hold_until }}.</p><p><a href="{{ track_url }}">Track it</a></p>'
        ),
    },
    "hold_reminder": {
        "subject": "Reminder: collect parcel {{ tracking_number }} by {{ hold_until }}",
        "text": (
            "Hello {{ name }}, parcel {{ tracking_number }} waits for you at {{ branch_name }}, "
            "{{ branch_address }} ({{ opening_hours }}) until {{ hold_until }}; after that it goes "
            "back to the sender."
        ),
        "html": (
            "<p>Hello {{ name }},</p><p>parcel <strong>{{ tracking_number }}</strong> waits for you "
            "at {{ branch_name }}, {{ branch_address }} ({{ opening_hours }}) until "
            "{{ hold_until }}; after that it goes back to the sender.</p>"
        ),
    },
    "returned": {
        "subject": "Parcel {{ tracking_number }} has come back to you",
        "text": (
            "Hello {{ name }}, your parcel {{ tracking_number }} could not be delivered and is back "
            "at {{ branch_name }}, {{ branch_address }} ({{ opening_hours }}). Please collect it."
        ),
        "html": (
            "<p>Hello {{ name }},</p><p>your parcel <strong>{{ tracking_number }}</strong> could "
            "not be delivered and is back at {{ branch_name }}, {{ branch_address }} "
            "({{ opening_hours }}). Please collect it.</p>"
        ),
    },
}
