"""/healthz checks the Celery workers' heartbeats: with a real worker consuming it says "ok" and
counts it; with none (never started, stopped, or silent for longer than WORKER_HEARTBEAT_MAX_AGE)
it still answers 200 "ok" (CONTRACT: database and Redis answer) with checks.worker.ok false: web keeps serving pages."""

import json
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery_app import app
from core import health


@pytest.fixture
def heartbeat_key(settings):
    settings.WORKER_HEARTBEAT_KEY = f"test:heartbeats:{uuid.uuid4()}"  # no other test's workers
    return settings.WORKER_HEARTBEAT_KEY


def _health(client):
    response = client.get("/healthz")
    return response.status_code, json.loads(response.content)


def test_it_reports_a_running_worker_and_its_absence_when_it_stops(public_client, heartbeat_key):
    queue = f"test-heartbeat-{uuid.uuid4().hex[:8]}"  # the worker takes no other test's tasks
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, queues=[queue], loglevel="WARNING"):
        status, body = _health(public_client)
        assert status == 200
        assert body["status"] == "ok"
        assert body["checks"]["worker"]["ok"] is True
        assert body["checks"]["worker"]["workers"] == 1
    status, body = _health(public_client)  # a clean shutdown takes its heartbeat away
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["worker"] == {
        "ok": False,
        "error": "NoLiveWorker",
        "workers": 0,
        "ms": body["checks"]["worker"]["ms"],
    }


def test_it_reports_no_worker_without_any(public_client, heartbeat_key):
    status, body = _health(public_client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert body["checks"]["worker"]["ok"] is False


def test_it_reports_no_worker_when_the_last_heartbeat_is_too_old(public_client, heartbeat_key, settings):
    health.worker_beat("celery@silent", now=time.time() - settings.WORKER_HEARTBEAT_MAX_AGE - 5)
    status, body = _health(public_client)
    assert (status, body["status"], body["checks"]["worker"]["ok"]) == (200, "ok", False)
    health.worker_beat("celery@alive")
    status, body = _health(public_client)
    assert (status, body["status"], body["checks"]["worker"]["workers"]) == (200, "ok", 1)
