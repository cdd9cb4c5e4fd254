"""Django admin for the audit trail: look, never touch (no add, change or delete, no actions)."""

from django.contrib import admin

from audit.access import can_read_audit
from audit.models import AuditLog
from branch_courier.core.admin import ReadOnlyAdmin


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = [
        "timestamp",
        "username",
        "branch_code",
        "action",
        "status_code",
        "object_type",
        "object_id",
        "ip",
    ]
    list_filter = ["branch_code", "status_code"]
    # Exact matches only, so each search uses an index. (IP search lives on /audit/: an "=ip" term
    # that is not an address would be a database error on PostgreSQL.)
    search_fields = ["=request_id", "=username", "=object_id", "^action"]
    date_hierarchy = "timestamp"
    ordering = ["-timestamp", "-id"]
    # No COUNT(*) over the whole table on every page.
    show_full_result_count = False
    actions = None
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_view_permission(self, request, obj=None):
        return can_read_audit(request.user) and super().has_view_permission(request, obj)
