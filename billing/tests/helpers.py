"""Helpers for billing tests: counters set to a given use, work done by other threads (own connections)."""

from __future__ import annotations

from billing import quotas
from billing.models import TENANT_WIDE, UsageCounter
from core.threads import in_own_thread


def set_used(tenant, kind, period, used, user_id=TENANT_WIDE):
    UsageCounter.objects.update_or_create(
        tenant_id=tenant.pk,
        user_id=user_id,
        kind=kind,
        period_start=period.start,
        defaults={"period_end": period.end, "used": used},
    )
    quotas.banner_changed(tenant.schema_name)  # as the services that move a counter do


in_thread = in_own_thread  # work done by another thread (its own, autocommitting connection)
