from __future__ import annotations

import copy
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from core.versioned_cache import VersionedCache

from .models import Domain, Tenant

# Tenant rows by host name and by schema, memoised per process: saves the domain lookup (a query and
# a search_path round trip) on every request. Every service that writes a Tenant or a Domain calls
# ``TENANTS.bump()`` (tenants.services.tenant_cache_bump); unknown hosts are never memoised, so a
# new workspace's host works at once. One token for all tenants, kept in the public schema.
TENANT_CACHE_TTL = 10.0  # seconds; a bound on staleness should a write ever skip the services
TENANTS = VersionedCache("tenants", schema=get_public_schema_name(), ttl=TENANT_CACHE_TTL, clone=copy.copy)


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
    return TENANTS.get(f"host:{hostname}", lambda: Domain.objects.select_related("tenant").get(domain=hostname).tenant)


def tenant_for_schema(*, schema_name: str) -> Tenant | None:
    """The tenant whose schema is ``schema_name`` (None for the template schema or an unknown one)."""
    return TENANTS.get(f"schema:{schema_name}", lambda: Tenant.objects.filter(schema_name=schema_name).first())


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
