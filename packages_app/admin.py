"""Django admin: packages are searched and read here, never edited around the services; tariffs are edited."""

from django.contrib import admin, messages

from branch_courier.core.admin import ReadOnlyAdmin
from packages_app.lifecycle import TransitionError
from packages_app.models import (
    DrawerSession,
    Handover,
    Manifest,
    Package,
    PackageEvent,
    Payment,
    ReasonCode,
    Tariff,
)
from packages_app.services import package_cancel


class PackageEventInline(admin.TabularInline):
    model = PackageEvent
    extra = 0
    can_delete = False
    ordering = ["-at", "-id"]
    fields = ["at", "kind", "from_status", "status", "branch", "actor", "reason_code", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("branch", "actor")


@admin.register(Package)
class PackageAdmin(ReadOnlyAdmin):
    # Read-only: status, money and parties change only through services (with their timeline
    # event and audit record); the cancel action below calls one. History is never deleted.
    list_display = [
        "tracking_number",
        "status",
        "service",
        "branch",
        "origin_branch",
        "destination_branch",
        "recipient_name",
        "created_at",
    ]
    list_filter = ["status", "service", "branch"]
    list_select_related = ["branch", "origin_branch", "destination_branch"]
    search_fields = ["=tracking_number", "recipient_name", "=recipient_phone_digits", "sender_name"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # no COUNT(*) over the whole table on every page
    list_per_page = 50
    inlines = [PackageEventInline]
    actions = ["cancel_not_dispatched"]

    @admin.action(description="Cancel selected packages (only those received and not yet dispatched)")
    def cancel_not_dispatched(self, request, queryset):
        done, refused = 0, []
        for package in queryset.select_related("branch"):
            try:
                package_cancel(
                    package=package,
                    actor=request.user,
                    reason_code=ReasonCode.OTHER,
                    note="Cancelled in Django admin",
                )
                done += 1
            except TransitionError as exc:
                refused.append(str(exc))
        if done:
            self.message_user(request, f"Cancelled {done} package(s).", messages.SUCCESS)
        for reason in refused[:10]:
            self.message_user(request, reason, messages.WARNING)


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ["service", "max_weight_grams", "price", "is_active"]
    list_editable = ["price", "is_active"]
    list_filter = ["service", "is_active"]
    ordering = ["service", "max_weight_grams"]


@admin.register(Manifest)
class ManifestAdmin(ReadOnlyAdmin):
    list_display = ["number", "origin_branch", "destination_branch", "state", "created_at", "missing_count"]
    list_filter = ["state"]
    list_select_related = ["origin_branch", "destination_branch"]


@admin.register(DrawerSession)
class DrawerSessionAdmin(ReadOnlyAdmin):
    list_display = ["clerk", "branch", "opened_at", "closed_at", "expected_cash", "counted_cash"]
    list_select_related = ["clerk", "branch"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["at", "package", "kind", "method", "amount", "clerk", "branch"]
    list_filter = ["kind", "method"]
    list_select_related = ["package", "clerk", "branch"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["package", "collector_name", "id_type", "id_last4", "cod_collected", "at"]
    list_select_related = ["package"]
