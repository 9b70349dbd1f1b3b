"""Admin permissions for a schema-per-tenant admin.

On a tenant host ``/admin/`` is that tenant's admin: its admins and owners (``is_staff`` in
their own schema only) manage tenant models without Django's per-model permission rows. On
the public host only operators (superusers) get in, and only public models are shown.
"""

from django.contrib import admin


class NoSecretLookups:
    """Refuse URL filters on secret fields (issue 8 §1.2: ``?token__startswith=`` recovered an
    invitation token one character at a time). Django already refuses filters through relations
    that the list does not offer (``?user__password__startswith=``); local fields are ours to refuse.
    A refused filter answers 400 whatever its value, so the answer says nothing about the secret.

    Put it before the admin class: ``class InvitationAdmin(NoSecretLookups, TenantModelAdmin)``
    with ``secret_lookup_fields = frozenset({"token", "token_hash"})``."""

    secret_lookup_fields: frozenset[str] = frozenset()

    def lookup_allowed(self, lookup, value, request):
        if lookup.split("__", 1)[0] in self.secret_lookup_fields:
            return False
        return super().lookup_allowed(lookup, value, request)  # type: ignore[misc]


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
