"""Admins edit the notification texts here (per event and language)."""

from django.contrib import admin

from customers import rendering
from customers.models import NotificationTemplate

_HELP = "Values you can use: " + ", ".join("{{ " + v + " }}" for v in rendering.VARIABLES) + "."


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ["event", "language", "subject", "updated_at"]
    list_filter = ["event", "language"]
    fields = ["event", "language", "subject", "text", "html"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["text"].help_text = f"SMS and plain-text e-mail body. {_HELP}"
        return form
