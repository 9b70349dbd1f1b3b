from celery import shared_task
from django.conf import settings

from . import services


@shared_task(time_limit=300, soft_time_limit=240)
def provision_tenant(tenant_id: str) -> str:
    return services.tenant_provision(tenant_id=tenant_id).state


@shared_task(time_limit=120)
def purge_failed_signups() -> int:
    """Beat job: failed signups hold no schema; after a day their rows go too."""
    return services.tenant_purge_failed(older_than_hours=24)


@shared_task(time_limit=600)
def purge_unverified_signups() -> int:
    """Beat job: workspaces whose owner never confirmed the address go after TENANT_UNVERIFIED_PURGE_HOURS."""
    return services.tenant_purge_unverified(older_than_hours=settings.TENANT_UNVERIFIED_PURGE_HOURS)
