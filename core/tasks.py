"""Helpers for enqueueing tasks: always on commit, always with the schema they belong to."""

from __future__ import annotations

from celery import shared_task
from django.db import connection, transaction

from core.db import connection_schema


def enqueue(task, *, args=None, kwargs=None, schema: str | None = None, **options):
    """Send ``task`` after the current transaction commits, to run in ``schema``.

    ``schema`` defaults to the schema of the current connection. Passing it explicitly lets
    code on the public host enqueue work for a tenant.
    """
    schema = schema or connection_schema()
    headers = {**options.pop("headers", {}), "_schema_name": schema}
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs, headers=headers, **options))


@shared_task(time_limit=30)
def current_schema() -> str:
    """Diagnostics: the schema a task runs in (used by operators and the isolation tests)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]
