from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services
from .models import Tenant


@shared_task(bind=True, time_limit=300, soft_time_limit=240, max_retries=3)
def provision_tenant(self, tenant_id: str) -> str:
    tenant = services.tenant_provision(tenant_id=tenant_id)
    if tenant.state == Tenant.State.PROVISIONING:
        # Another run holds the claim (a redelivered task, or a duplicate). Look again once its lease
        # is over: by then it has finished, or it died and this run takes over.
        started = tenant.provisioning_started_at or timezone.now()
        lease_ends = started.timestamp() + settings.TENANT_PROVISIONING_LEASE_SECONDS
        raise self.retry(countdown=max(5, int(lease_ends - timezone.now().timestamp()) + 5))
    return tenant.state


@shared_task(time_limit=120)
def purge_failed_signups() -> int:
    """Beat job: failed signups hold no schema; after a day their rows go too."""
    return services.tenant_purge_failed(older_than_hours=24)


@shared_task(time_limit=600)
def purge_unverified_signups() -> int:
    """Beat job: workspaces whose owner never confirmed the address go after TENANT_UNVERIFIED_PURGE_HOURS."""
    return services.tenant_purge_unverified(older_than_hours=settings.TENANT_UNVERIFIED_PURGE_HOURS)
