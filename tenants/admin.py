from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin, NoSecretLookups, PublicModelAdmin

from .forms import WorkspaceSettingsForm
from .models import Domain, Tenant, Workspace
from .services import tenant_cache_bump, tenant_set_active, tenant_settings_save

# The owner's password hash waits in ``pending_owner`` until provisioning: never a URL filter (issue 8 §1.2).
SECRET_LOOKUP_FIELDS = frozenset({"pending_owner"})


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary", "is_custom"]


@admin.register(Tenant)
class TenantAdmin(NoSecretLookups, PublicModelAdmin):
    secret_lookup_fields = SECRET_LOOKUP_FIELDS
    list_display = ["name", "subdomain", "schema_name", "state", "is_active", "created_at"]
    list_filter = ["state", "is_active"]
    search_fields = ["name", "subdomain", "schema_name"]
    readonly_fields = ["schema_name", "state", "provisioning_error", "provisioned_at", "created_at", "updated_at"]
    fields = [
        "name",
        "subdomain",
        "schema_name",
        "is_active",
        "state",
        "provisioning_error",
        "provisioned_at",
        "branding",
        "settings",
        "features",
        "legal",
        "stripe_customer_id",
        "created_at",
        "updated_at",
    ]
    inlines = [DomainInline]
    actions = ["suspend", "reactivate"]

    def has_add_permission(self, request):
        return False  # workspaces are created by signup or `manage.py create_workspace`

    def save_model(self, request, obj, form, change):
        tenant_settings_save(tenant=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        tenant_cache_bump()  # the domains inline: hosts are looked up again once this commits

    def has_delete_permission(self, request, obj=None):
        return False  # deleting drops a schema; an operator does that deliberately from the shell

    @admin.action(description=_("Suspend selected workspaces"))
    def suspend(self, request, queryset):
        for tenant in queryset.exclude(schema_name="public"):
            tenant_set_active(tenant=tenant, active=False)
        messages.success(request, _("Suspended."))

    @admin.action(description=_("Reactivate selected workspaces"))
    def reactivate(self, request, queryset):
        for tenant in queryset:
            tenant_set_active(tenant=tenant, active=True)
        messages.success(request, _("Reactivated."))


@admin.register(Workspace)
class WorkspaceAdmin(AuditedAdmin, NoSecretLookups, admin.ModelAdmin):
    """A tenant admin's own workspace: name, branding, sign-up policy, legal links."""

    secret_lookup_fields = SECRET_LOOKUP_FIELDS

    form = WorkspaceSettingsForm
    fieldsets = (
        (None, {"fields": ("name",)}),
        (_("Branding"), {"fields": WorkspaceSettingsForm.BRANDING}),
        (_("Sign-up"), {"fields": WorkspaceSettingsForm.SETTINGS}),
        (_("Legal"), {"fields": WorkspaceSettingsForm.LEGAL}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk=getattr(request.tenant, "pk", None))

    def save_model(self, request, obj, form, change):
        """Through the service: the new branding is served at once, by every process."""
        tenant_settings_save(tenant=obj)

    def changelist_view(self, request, extra_context=None):
        """There is exactly one workspace here: go straight to its settings."""
        if not self._allowed(request):
            raise PermissionDenied
        return redirect("admin:tenants_workspace_change", request.tenant.pk)

    def _allowed(self, request):
        tenant = getattr(request, "tenant", None)
        return tenant is not None and not tenant.is_public and getattr(request.user, "is_tenant_admin", False)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) and (obj is None or obj.pk == request.tenant.pk)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
