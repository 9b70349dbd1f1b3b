"""Admin permissions for a schema-per-tenant admin.

On a tenant host ``/admin/`` is that tenant's admin: its admins and owners (``is_staff`` in
their own schema only) manage tenant models without Django's per-model permission rows. On
the public host only operators (superusers) get in, and only public models are shown.
"""

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from core.audit.services import audit_record, changes_of


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


class AuditedAdmin:
    """Every change made through this admin goes to the audit log (issue 12 §4), in the schema of
    the request (a tenant's, or public for operators): additions, changes with the changed fields'
    before and after (secret fields only as set/changed/cleared), deletions and admin actions.

    A hook on the ModelAdmin rather than model signals: it records who and from where, and only
    what a person did in the admin."""

    audit_secret_fields: frozenset[str] = frozenset()

    def save_form(self, request, form, change):
        # Here rather than in save_model, which admins override to call their services.
        request._audit_changes = changes_of(form, self.audit_secret_fields)
        return super().save_form(request, form, change)

    def _audit_changes(self, request, message) -> dict:
        changes = getattr(request, "_audit_changes", None)
        request._audit_changes = None
        if changes:
            return changes
        fields = [
            f for item in message or [] if isinstance(item, dict) for f in item.get("changed", {}).get("fields", [])
        ]
        return {"fields": [str(f) for f in fields]} if fields else {}

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        audit_record(request=request, action="add", obj=obj, changes=self._audit_changes(request, message))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        audit_record(request=request, action="change", obj=obj, changes=self._audit_changes(request, message))
        return entry

    def log_deletions(self, request, queryset):
        for obj in queryset:  # called before the rows are deleted
            audit_record(request=request, action="delete", obj=obj)
        return super().log_deletions(request, queryset)

    def response_action(self, request, queryset):
        response = super().response_action(request, queryset)
        name = request.POST.get("action", "")
        if name and name != "delete_selected" and name in self.get_actions(request):
            selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
            audit_record(
                request=request, action="action", action_name=name, object_type=self.model._meta.label,
                changes={"selected": selected[:100], "count": len(selected)},
            )  # fmt: skip
        return response


class TenantModelAdmin(AuditedAdmin, admin.ModelAdmin):
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


class PublicModelAdmin(AuditedAdmin, admin.ModelAdmin):
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
