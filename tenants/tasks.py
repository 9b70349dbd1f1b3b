from celery import shared_task
from django_tenants.utils import get_public_schema_name

from core.tasks import enqueue

from . import selectors, services


@shared_task(time_limit=300, soft_time_limit=240)
def provision_tenant(tenant_id: str) -> str:
    return services.tenant_provision(tenant_id=tenant_id).state


@shared_task(time_limit=60, ignore_result=True)
def purge_failed_signups() -> int:
    """Beat job: failed signups hold no schema; after a day their rows go too, one task each (one
    that cannot be deleted fails its own task only)."""
    ids = selectors.tenants_failed_stale(older_than_hours=24)
    for tenant_id in ids:
        enqueue(purge_failed_signup, args=[str(tenant_id)], schema=get_public_schema_name())
    return len(ids)


@shared_task(time_limit=120, ignore_result=True)
def purge_failed_signup(tenant_id: str) -> bool:
    return services.tenant_purge_failed_one(tenant_id=tenant_id, older_than_hours=24)
