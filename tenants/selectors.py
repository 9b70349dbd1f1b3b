from __future__ import annotations

from .models import Domain, Tenant


def tenant_subdomain_taken(*, subdomain: str) -> bool:
    """Taken by a live tenant. A failed signup does not hold its subdomain."""
    return (
        Tenant.objects.filter(subdomain=subdomain).exclude(state=Tenant.State.FAILED).exists()
        or Domain.objects.filter(domain__startswith=f"{subdomain}.").exclude(tenant__state=Tenant.State.FAILED).exists()
    )


def tenant_get_by_subdomain(*, subdomain: str) -> Tenant | None:
    return Tenant.objects.filter(subdomain=subdomain).first()
