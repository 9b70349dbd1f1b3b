from django.contrib import admin

from core.admin import _on_public_host

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only, searchable and paginated; tenant admins see their schema's entries, operators
    the public schema's. Nobody adds, changes or deletes an entry, not even an owner."""

    list_display = ["created_at", "actor_email", "action", "action_name", "object_type", "object_repr", "ip"]
    list_filter = ["action", "actor_email", "object_type", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["actor_email", "object_repr", "object_type", "object_id", "action_name"]
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False
    fields = [
        "created_at", "actor_email", "actor_id", "action", "action_name", "object_type", "object_id",
        "object_repr", "changes", "ip",
    ]  # fmt: skip
    readonly_fields = fields
    actions = None

    def _allowed(self, request) -> bool:
        user = request.user
        if not user.is_active:
            return False
        if _on_public_host(request):
            return user.is_superuser
        return bool(getattr(user, "is_tenant_admin", False))

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
