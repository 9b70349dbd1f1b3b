from celery import shared_task

from core.tasks import enqueue_each, tenant_job

from .services import accounts_erase_due, data_export_build, data_exports_purge_expired


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500, ignore_result=True)
def build_data_export(export_id: str) -> str:
    """Runs in the tenant's schema; safe to run twice (a finished export is left as it is)."""
    item = data_export_build(export_id=export_id)
    return item.status if item else "gone"


@shared_task(time_limit=60, ignore_result=True)
def erase_due_accounts() -> int:
    """Beat: in every ready tenant, erase the accounts whose grace period is over (one task each)."""
    from tenants.selectors import tenants_ready

    return len(enqueue_each(erase_tenant_due_accounts, tenants_ready().values_list("schema_name", flat=True)))


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500, ignore_result=True)
def erase_tenant_due_accounts() -> dict:
    """One tenant's erasures (resuming interrupted ones) and its expired exports."""
    with tenant_job("erase_due_accounts"):
        return {"erased": accounts_erase_due(), "exports_purged": data_exports_purge_expired()}
