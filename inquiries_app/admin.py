"""Django admin: inquiries are searched and read here (changes go through the screens' services);
the SLA hours per priority are edited here."""

from django.contrib import admin

from branch_courier.core.admin import ReadOnlyAdmin
from inquiries_app.models import CustomerInquiry, InquiryNote, SlaPolicy, parse_reference


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["priority", "hours"]
    list_editable = ["hours"]
    ordering = ["hours"]

    def has_delete_permission(self, request, obj=None):
        return False  # every priority needs its hours; edit them instead

    def get_readonly_fields(self, request, obj=None):
        return ["priority"] if obj else []


class InquiryNoteInline(admin.TabularInline):
    model = InquiryNote
    extra = 0
    can_delete = False
    fields = ["created_at", "author", "visibility", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class OverdueFilter(admin.SimpleListFilter):
    title = "SLA"
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("late", "Resolved late")]

    def queryset(self, request, queryset):
        from django.db.models import F

        from inquiries_app.selectors import overdue_q

        if self.value() == "overdue":
            return queryset.filter(overdue_q())
        if self.value() == "late":
            return queryset.filter(resolved_at__gt=F("due_at"))
        return queryset


@admin.register(CustomerInquiry)
class CustomerInquiryAdmin(ReadOnlyAdmin):
    # Opened at a counter or on the phone; status, SLA and claims change only through the services.
    list_display = [
        "reference",
        "branch",
        "status",
        "priority",
        "category",
        "channel",
        "package",
        "customer_name",
        "assignee",
        "due_at",
        "created_at",
        "claim_status",
    ]
    list_filter = [OverdueFilter, "status", "priority", "category", "channel", "claim_status", "branch"]
    list_select_related = ["branch", "package", "assignee"]
    search_fields = [
        "=package__tracking_number",
        "customer_name",
        "customer_email",
        "customer_phone",
    ]
    search_help_text = "Reference (INQ-2026-000123), tracking number, customer name, email or phone."
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_per_page = 50
    inlines = [InquiryNoteInline]

    def get_search_results(self, request, queryset, search_term):
        parsed = parse_reference(search_term) if search_term.strip().upper().startswith("INQ") else None
        if parsed is not None:
            return queryset.filter(pk=parsed[1]), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="Reference", ordering="id")
    def reference(self, obj):
        return obj.reference
