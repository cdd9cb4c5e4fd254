"""Django admin for branches and staff. Deactivating staff here ends their sessions."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from branch_courier.accounts.models import Branch, User
from branch_courier.accounts.services import user_deactivate, user_sessions_end


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city", "timezone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "city"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "branch", "role", "is_active", "is_staff"]
    list_filter = ["role", "branch", "is_active", "is_staff", "is_superuser"]
    list_select_related = ["branch"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = DjangoUserAdmin.fieldsets + (("Branch", {"fields": ("branch", "role")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("Branch", {"fields": ("branch", "role")}),)
    actions = ["deactivate"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            ended = user_sessions_end(user=obj)
            self.message_user(request, f"{obj.username} deactivated; {ended} session(s) ended.")

    @admin.action(description="Deactivate selected staff and end their sessions")
    def deactivate(self, request, queryset):
        ended = sum(user_deactivate(user=user, actor=request.user) for user in queryset)
        self.message_user(
            request, f"Deactivated {queryset.count()} user(s); {ended} session(s) ended.", messages.SUCCESS
        )
