from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from core.tasks import enqueue

from . import selectors, services
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


@shared_task(time_limit=600)
def purge_unverified_signups() -> int:
    """Beat job: workspaces whose owner never confirmed the address go after TENANT_UNVERIFIED_PURGE_HOURS."""
    return services.tenant_purge_unverified(older_than_hours=settings.TENANT_UNVERIFIED_PURGE_HOURS)


@shared_task(time_limit=60, ignore_result=True)
def clear_expired_sessions() -> int:
    """Beat (seed 001 "clean up inactive sessions"): sessions live in each tenant's schema, so
    Django's clearsessions runs once per workspace, one task each (a broken schema fails its own)."""
    from core.tasks import enqueue_each

    schemas = selectors.tenants_ready().values_list("schema_name", flat=True)
    return len(enqueue_each(clear_tenant_sessions, schemas))


@shared_task(time_limit=600, ignore_result=True)
def clear_tenant_sessions() -> int:
    """One workspace's expired sessions, in the schema the task was sent to (safe to run twice)."""
    from django.contrib.sessions.models import Session

    from core.tasks import tenant_job

    with tenant_job("clear_expired_sessions"):
        deleted, _rows = Session.objects.filter(expire_date__lt=timezone.now()).delete()
        return deleted
