"""Celery tasks of the documents app, on the ``documents`` queue: thin, idempotent, time-limited."""

from __future__ import annotations

import logging

from celery import shared_task
from django_tenants.utils import get_public_schema_name, schema_context

from .services import document_process, documents_sweep

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=3600, soft_time_limit=3500, max_retries=0,
             ignore_result=True)  # fmt: skip
def process_document(document_id: str) -> str:
    """Runs in the tenant's schema (tenant-schemas-celery header). Resumes a partial run."""
    return document_process(document_id=document_id)


@shared_task(time_limit=600, soft_time_limit=570)
def sweep_stalled_documents() -> int:
    """Beat: jobs whose worker died are queued again (they resume), in every tenant."""
    from tenants.models import Tenant

    total = 0
    for tenant in Tenant.objects.filter(state=Tenant.State.READY).exclude(schema_name=get_public_schema_name()):
        try:
            with schema_context(tenant.schema_name):
                total += documents_sweep()
        except Exception:  # noqa: BLE001 - one tenant's failure must not stop the others
            logger.exception("document sweep failed for %s", tenant.schema_name)
    return total
