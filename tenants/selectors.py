from __future__ import annotations

import copy
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from core.versioned_cache import VersionedCache

from .models import Domain, Tenant

# Tenant lookups, memoised per process: saves the domain lookup (a query and a search_path round trip)
# on every request. Two tokens (core.versioned_cache):
# * TENANTS, one for all tenants (in public): which host serves which schema. Bumped when hosts or
#   the set of tenants change (domains added or removed, a workspace deleted or restored, a failed
#   signup replaced): ``tenant_cache_bump()``. Unknown hosts are never memoised, so a new
#   workspace's host works at once.
# * TENANT_ROWS, one per tenant (in the tenant's schema): its Tenant row (state, settings, active).
#   Bumped when only that tenant's row changes (provisioning, suspension, settings, the owner's
#   confirmation): ``tenant_cache_bump(tenant)``; a row memo is also read again after a TENANTS bump.
# So a provisioning no longer makes every process read every other tenant's row again (at 1,000s
# of signups an hour that was a query per request; docs/SCALING.md §5).
TENANT_CACHE_TTL = 10.0  # seconds; a bound on staleness should a write ever skip the services
TENANTS = VersionedCache("tenants", schema=get_public_schema_name(), ttl=TENANT_CACHE_TTL, clone=copy.copy)


class _TenantRows(VersionedCache):
    """Versioned per tenant schema, named by the caller (``get_for``), and by TENANTS as well."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._target: ContextVar[str | None] = ContextVar("tenant_rows_schema", default=None)

    def get_for(self, schema: str, key: str, compute):
        token = self._target.set(schema)
        try:
            return self.get(key, compute)
        finally:
            self._target.reset(token)

    def version(self, schema: str | None = None) -> str | None:
        own, shared = super().version(schema), TENANTS.version()
        return None if own is None or shared is None else f"{shared}:{own}"

    def _schema(self) -> str:
        return self._target.get() or super()._schema()


TENANT_ROWS = _TenantRows("tenants:row", ttl=TENANT_CACHE_TTL, clone=copy.copy)


def tenant_subdomain_taken(*, subdomain: str) -> bool:
    """Taken by a live tenant. A failed signup does not hold its subdomain."""
    return (
        Tenant.objects.filter(subdomain=subdomain).exclude(state=Tenant.State.FAILED).exists()
        or Domain.objects.filter(domain__startswith=f"{subdomain}.").exclude(tenant__state=Tenant.State.FAILED).exists()
    )


def tenant_get_by_subdomain(*, subdomain: str) -> Tenant | None:
    return Tenant.objects.filter(subdomain=subdomain).first()


def tenant_for_hostname(*, hostname: str) -> Tenant:
    """The tenant serving ``hostname``; raises Domain.DoesNotExist for an unknown host (not memoised)."""
    schema_name = TENANTS.get(
        f"host:{hostname}",
        lambda: Domain.objects.filter(domain=hostname).values_list("tenant__schema_name", flat=True).get(),
    )
    tenant = tenant_for_schema(schema_name=schema_name)
    if tenant is None:  # deleted since the host was memoised
        raise Domain.DoesNotExist(hostname)
    return tenant


def tenant_for_schema(*, schema_name: str) -> Tenant | None:
    """The tenant whose schema is ``schema_name`` (None for the template schema or an unknown one)."""
    return TENANT_ROWS.get_for(schema_name, "row", lambda: Tenant.objects.filter(schema_name=schema_name).first())


def tenants_ready(*, include_suspended: bool = True) -> QuerySet[Tenant]:
    """Tenants whose schema is built and in use: what every loop over tenants walks (beat jobs and
    operator commands). Never the public or the template schema, nor a signup still provisioning
    or failed (no schema). ``include_suspended=False`` also leaves suspended workspaces out."""
    qs = (
        Tenant.objects.filter(state=Tenant.State.READY)
        .exclude(schema_name__in=[get_public_schema_name(), settings.TENANT_BASE_SCHEMA])
        .order_by("schema_name")
    )
    return qs if include_suspended else qs.filter(is_active=True)


def tenants_failed_stale(*, older_than_hours: int = 24) -> list:
    """Ids of failed signups (they hold no schema) untouched for ``older_than_hours``: to be purged."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    return list(
        Tenant.objects.filter(state=Tenant.State.FAILED, updated_at__lt=cutoff)
        .exclude(schema_name=get_public_schema_name())
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
