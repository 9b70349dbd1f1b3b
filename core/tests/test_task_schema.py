"""Tasks run in the schema they were enqueued for, through a real worker and the real broker."""

import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import AsyncResult
from django_tenants.utils import schema_context

from config.celery_app import app
from core.tasks import current_schema, enqueue


@pytest.fixture(scope="module")
def worker():
    app.conf.update(task_always_eager=False)
    # queues: a worker started earlier in the session (the browser tests: "orchestration") leaves its
    # queue selection on the app; this one must consume the default queue whatever ran before.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=["celery"]):
        yield


def test_it_runs_a_task_for_tenant_a_in_a_schema_even_when_enqueued_from_public(
    worker, tenant_a, django_capture_on_commit_callbacks
):
    task_id = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(current_schema, schema=tenant_a.schema_name, task_id=task_id)  # the connection is on public
    assert AsyncResult(task_id, app=app).get(timeout=20) == tenant_a.schema_name


def test_it_runs_a_task_in_the_schema_it_was_sent_from(worker, tenant_b):
    with schema_context(tenant_b.schema_name):
        result = current_schema.apply_async()
    assert result.get(timeout=20) == tenant_b.schema_name


def test_it_runs_a_public_task_in_public(worker, db):
    assert current_schema.apply_async().get(timeout=20) == "public"
