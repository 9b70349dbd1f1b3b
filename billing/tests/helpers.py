"""Helpers for billing tests: counters set to a given use, work done by other threads (own connections)."""

from __future__ import annotations

import threading

from django.db import connection

from billing import quotas
from billing.models import TENANT_WIDE, UsageCounter


def set_used(tenant, kind, period, used, user_id=TENANT_WIDE):
    UsageCounter.objects.update_or_create(
        tenant_id=tenant.pk,
        user_id=user_id,
        kind=kind,
        period_start=period.start,
        defaults={"period_end": period.end, "used": used},
    )
    quotas.banner_changed(tenant.schema_name)  # as the services that move a counter do


def in_thread(fn, *args, **kwargs):
    """Run ``fn`` in a new thread (its own, autocommitting connection); returns its result or raises."""
    out: dict = {}

    def run():
        try:
            out["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            out["error"] = exc
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")
