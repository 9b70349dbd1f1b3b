"""Admin permissions for a schema-per-tenant admin.

On a tenant host ``/admin/`` is that tenant's admin: its admins and owners (``is_staff`` in
their own schema only) manage tenant models without Django's per-model permission rows. On
the public host only operators (superusers) get in, and only public models are shown.
"""

from django.contrib import admin


def _on_public_host(request) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is None or tenant.is_public


class TenantModelAdmin(admin.ModelAdmin):
    """A model that lives in tenant schemas: tenant admins manage it on their own host."""

    def _allowed(self, request) -> bool:
        user = request.user
        return not _on_public_host(request) and user.is_active and getattr(user, "is_tenant_admin", False)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class PublicModelAdmin(admin.ModelAdmin):
    """A model of the public schema: operators only, on the public host only."""

    def _allowed(self, request) -> bool:
        return _on_public_host(request) and request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)
