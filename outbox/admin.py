"""Django admin for the outbox: see what is queued or dead, replay dead messages."""

from django.contrib import admin, messages

from branch_courier.core.admin import ReadOnlyAdmin
from outbox import services
from outbox.models import OutboxMessage


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return OutboxMessage.Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    # Viewable, never editable: the worker owns the state, operators only replay (an action).
    list_display = ["created_at", "topic", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = [StatusFilter, "topic"]
    search_fields = ["=key", "=subject"]
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    actions = ["replay_dead"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser and not request.user.has_perm("outbox.replay_outboxmessage"):
            actions.pop("replay_dead", None)
        return actions

    @admin.action(description="Replay selected dead messages")
    def replay_dead(self, request, queryset):
        count = services.replay(messages=list(queryset.only("pk")), actor=request.user)
        skipped = queryset.count() - count
        self.message_user(request, f"{count} dead message(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} selected message(s) were not dead; left alone.", messages.WARNING
            )
