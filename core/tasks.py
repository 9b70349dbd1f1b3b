"""Helpers for enqueueing tasks: always on commit, always with the schema they belong to."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib import import_module

from celery import current_app, shared_task
from django.db import connection, transaction
from django_tenants.utils import schema_exists

from core.db import connection_schema

log = logging.getLogger(__name__)


def enqueue(task, *, args=None, kwargs=None, schema: str | None = None, **options):
    """Send ``task`` after the current transaction commits, to run in ``schema``.

    ``task`` is a task or its dotted name: services name the tasks they enqueue
    (``"chat.tasks.generate_answer"``) instead of importing them, since tasks import services and
    the other way round is an import cycle (DESIGN §5; import-linter keeps it out). The module is
    imported here (a web process has not always imported it yet); an unknown name fails at once.
    ``schema`` defaults to the schema of the current connection. Passing it explicitly lets
    code on the public host enqueue work for a tenant.
    """
    if isinstance(task, str):
        import_module(task.rpartition(".")[0])  # registers the task; cached after the first time
        task = current_app.tasks[task]  # KeyError for a name the module does not define
    schema = schema or connection_schema()
    headers = {**options.pop("headers", {}), "_schema_name": schema}
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs, headers=headers, **options))


def enqueue_each(task, schemas: Iterable[str], *, args=None, kwargs=None, **options) -> list[str]:
    """Enqueue ``task`` once per schema, each to run in its own schema (on commit).

    The loop over tenants of a beat job: every tenant gets its own task, so a tenant whose schema is
    broken or gone fails its own task only and the others still run. Returns the schemas.
    """
    sent = []
    for schema in schemas:
        enqueue(task, args=args, kwargs=kwargs, schema=schema, **options)
        sent.append(schema)
    return sent


class SchemaMissing(RuntimeError):
    """The tenant's row says ready, but its schema is not in the database (dropped by hand, restored badly)."""


@contextmanager
def tenant_job(name: str) -> Iterator[str]:
    """The body of one tenant's part of a job, in the connection's schema; yields the schema name.

    A schema that is gone is refused before any statement touches it, and every failure is logged
    with the job and the schema before it is raised again (Celery records the task as failed; a
    command reports it and goes on with the next tenant).
    """
    schema = connection_schema()
    try:
        if not schema_exists(schema):
            raise SchemaMissing(f"schema {schema} does not exist")
        yield schema
    except Exception:
        log.exception("%s failed in schema %s", name, schema)
        raise


@shared_task(time_limit=30)
def current_schema() -> str:
    """Diagnostics: the schema a task runs in (used by operators and the isolation tests)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]
