"""``RecordsAdminActions``: what a tenant admin does in ``/admin/`` goes to the usage ledger.

Issue 10 §5 names three action types; ``admin_action`` had no writer. Django's admin logs every
addition, change and deletion through ``log_addition`` / ``log_change`` / ``log_deletions`` (inside
the view's transaction, after the save): the mixin adds one ``UsageLog`` row per object there, via
``billing.services.usage_record`` (billing is told; it imports no app). Only on a tenant host:
operators on the public host are not a tenant's usage. Put it first among the bases::

    class InvitationAdmin(RecordsAdminActions, NoSecretLookups, TenantModelAdmin): ...
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def _record(request, obj, action: str) -> None:
    from .models import ActionType
    from .services import usage_record

    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if tenant is None or tenant.is_public or user is None or not user.is_authenticated:
        return
    usage_record(
        action_type=ActionType.ADMIN_ACTION,
        user_id=user.pk,
        user_email=getattr(user, "email", ""),
        metadata={"action": action, "model": obj._meta.label_lower, "object_id": str(obj.pk)},
        schema=tenant.schema_name,
    )


class RecordsAdminActions:
    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        _record(request, obj, "add")
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        _record(request, obj, "change")
        return entry

    def log_deletions(self, request, queryset):
        objects = list(queryset)  # read before the rows go
        entries = super().log_deletions(request, queryset)  # type: ignore[misc]
        for obj in objects:
            _record(request, obj, "delete")
        return entries
