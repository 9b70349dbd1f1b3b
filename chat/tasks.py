"""Celery tasks of the chat app: thin, idempotent, with time limits."""

from __future__ import annotations

import logging

from celery import shared_task
from django_tenants.utils import get_public_schema_name, schema_context

from .services import (
    conversations_archive_inactive,
    conversations_purge_deleted,
    generation_run,
    generation_sweep,
)

logger = logging.getLogger(__name__)


# ignore_result: nobody waits for it (the answer travels through the message's Redis stream), and
# sending a task whose result is kept subscribes to its result channel first (~2-3 ms per question).
@shared_task(
    acks_late=True, reject_on_worker_lost=True, time_limit=330, soft_time_limit=300, max_retries=0, ignore_result=True
)
def generate_answer(message_id: str, moderate: bool = False) -> str:
    """Runs in the tenant's schema (tenant-schemas-celery header); queue ``orchestration``.

    ``moderate``: check the question with the moderation provider while the answer is generated."""
    return generation_run(message_id=message_id, moderate=moderate)


def _tenants():
    from tenants.models import Tenant

    return Tenant.objects.filter(state=Tenant.State.READY).exclude(schema_name=get_public_schema_name())


@shared_task(time_limit=600, soft_time_limit=570)
def sweep_stuck_answers() -> int:
    """Beat: answers whose worker died become errors with a retry button, in every tenant."""
    total = 0
    for tenant in _tenants():
        with schema_context(tenant.schema_name):
            total += generation_sweep()
    return total


@shared_task(time_limit=3600, soft_time_limit=3500)
def apply_retention() -> dict:
    """Beat: archive inactive conversations and purge long-deleted ones, with each tenant's settings."""
    result = {}
    for tenant in _tenants():
        settings_data = tenant.settings_data
        try:
            with schema_context(tenant.schema_name):
                archived = conversations_archive_inactive(days=settings_data["archive_after_days"])
                purged = conversations_purge_deleted(days=settings_data["purge_deleted_after_days"])
            result[tenant.schema_name] = {"archived": archived, "purged": purged}
        except Exception:  # noqa: BLE001 - one tenant's failure must not stop the others
            logger.exception("retention failed for %s", tenant.schema_name)
    return result


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500, ignore_result=True)
def reindex_search() -> int:
    """Runs in the tenant's schema: rebuild the messages' search vectors after a change of language."""
    from .services.search import search_index_rebuild, search_index_sync

    search_index_sync()  # records the new configuration when a read noticed the change
    return search_index_rebuild()


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700, ignore_result=True)
def import_conversations(job_id: str) -> str:
    """Runs in the tenant's schema: a large JSON import (chat.services.transfer.import_job_run)."""
    from .services.transfer import import_job_run

    return import_job_run(job_id=job_id)
