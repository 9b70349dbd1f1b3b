"""Celery tasks of the chat app: thin, idempotent, with time limits."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import connection

from core.tasks import enqueue, enqueue_each, tenant_job

from . import scheduling
from .services import (
    conversations_archive_inactive,
    conversations_purge_deleted,
    generation_run,
    generation_sweep,
)
from .services.generation import answer_queue

logger = logging.getLogger(__name__)


# ignore_result: nobody waits for it (the answer travels through the message's Redis stream), and
# sending a task whose result is kept subscribes to its result channel first (~2-3 ms per question).
# A pool process killed mid-answer is not redelivered by Celery (reject_on_worker_lost=False): the
# writer's heartbeat stops, and the SSE view or the sweep redelivers the answer explicitly, once,
# counting attempts on the message (chat.services.generation.generation_recover). acks_late stays:
# a whole worker lost before it claimed the answer gets it redelivered by the broker (a no-op after).
@shared_task(
    acks_late=True, reject_on_worker_lost=False, time_limit=330, soft_time_limit=300, max_retries=0, ignore_result=True
)
def generate_answer(message_id: str, moderate: bool = False) -> str:
    """Runs in the tenant's schema (tenant-schemas-celery header); queue ``CHAT_ANSWER_QUEUE``.

    ``moderate``: check the question with the moderation provider while the answer is generated.
    Over the tenant's cap of concurrent generations the answer waits its turn without holding the
    worker (chat.scheduling); a finished generation starts the tenant's next waiting answer."""
    schema = connection.schema_name
    if not scheduling.slot_claim(schema, message_id, moderate=moderate):
        return "waiting"
    try:
        return generation_run(message_id=message_id, moderate=moderate)
    finally:
        _send(schema, scheduling.slot_release(schema, message_id))


def _send(schema: str, answers) -> None:
    """Start the answers that were just handed a slot (each task finds its slot already held)."""
    for answer in answers:
        enqueue(
            generate_answer,
            args=[answer.message_id],
            kwargs={"moderate": answer.moderate},
            schema=schema,
            queue=answer_queue(),
        )


@shared_task(time_limit=60, soft_time_limit=50, ignore_result=True)
def dispatch_waiting_answers() -> int:
    """Beat: answers waiting for a slot that a dead worker held (it expired) are started."""
    handed = scheduling.dispatch_waiting()
    for schema, answers in handed.items():
        _send(schema, answers)
    return sum(len(a) for a in handed.values())


def _ready_schemas() -> list[str]:
    from tenants.selectors import tenants_ready

    return list(tenants_ready().values_list("schema_name", flat=True))


@shared_task(time_limit=60, ignore_result=True)
def sweep_stuck_answers() -> int:
    """Beat (every 15 s): in every ready tenant, answers whose writer died are generated again once,
    else become errors with a retry button.

    One task per tenant (``sweep_tenant_stuck_answers``): a broken schema fails its own task only."""
    return len(enqueue_each(sweep_tenant_stuck_answers, _ready_schemas()))


@shared_task(time_limit=600, soft_time_limit=570, ignore_result=True)
def sweep_tenant_stuck_answers() -> int:
    """One tenant's sweep, in the schema it was sent to."""
    with tenant_job("sweep_stuck_answers"):
        return generation_sweep()


@shared_task(time_limit=60, ignore_result=True)
def apply_retention() -> int:
    """Beat: archive inactive conversations and purge long-deleted ones, with each tenant's settings.

    One task per tenant (``apply_tenant_retention``): a broken schema fails its own task only."""
    return len(enqueue_each(apply_tenant_retention, _ready_schemas()))


@shared_task(time_limit=3600, soft_time_limit=3500, ignore_result=True)
def apply_tenant_retention() -> dict:
    """One tenant's retention, in the schema it was sent to, with that tenant's settings."""
    from tenants.selectors import tenant_for_schema

    with tenant_job("apply_retention") as schema:
        tenant = tenant_for_schema(schema_name=schema)
        if tenant is None:
            return {}
        settings_data = tenant.settings_data
        archived = conversations_archive_inactive(days=settings_data["archive_after_days"])
        purged = conversations_purge_deleted(days=settings_data["purge_deleted_after_days"])
        logger.info("retention in %s: %s archived, %s purged", schema, archived, purged)
        return {"archived": archived, "purged": purged}


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
