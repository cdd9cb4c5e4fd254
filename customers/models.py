"""Notification templates: what a customer is told, per event and language, editable in admin."""

from django.core.exceptions import ValidationError
from django.db import models

from customers import rendering


class NotificationTemplate(models.Model):
    class Event(models.TextChoices):
        READY_FOR_PICKUP = "ready_for_pickup", "Ready for pickup (to the recipient)"
        HOLD_REMINDER = "hold_reminder", "Hold expires soon (to the recipient)"
        RETURNED = "returned", "Returned (to the sender)"

    event = models.CharField(max_length=32, choices=Event.choices)
    language = models.CharField(max_length=8, default="en", help_text="e.g. en, es, fr")
    subject = models.CharField(max_length=200, help_text="E-mail subject (plain text).")
    text = models.TextField(help_text="SMS and plain-text e-mail body.")
    html = models.TextField(blank=True, help_text="Optional HTML e-mail body; values are escaped.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "language"]
        constraints = [
            models.UniqueConstraint(fields=["event", "language"], name="notification_template_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} [{self.language}]"

    def clean(self):
        errors = {}
        for field in ("subject", "text", "html"):
            try:
                rendering.check_source(getattr(self, field))
            except ValidationError as exc:
                errors[field] = exc.messages
        if errors:
            raise ValidationError(errors)
