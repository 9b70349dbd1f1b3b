import json
import uuid

from django.core.cache import cache

from core import health


def test_it_reports_ok_when_database_and_redis_answer(public_client, settings):
    settings.WORKER_HEARTBEAT_KEY = f"test:heartbeats:{uuid.uuid4()}"  # this test's own worker beat
    health.worker_beat("celery@test-ok")
    response = public_client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True


def test_it_answers_on_tenant_hosts_too(tenant_client, tenant_a):
    assert tenant_client(tenant_a).get("/healthz").status_code == 200


def test_it_reports_503_when_redis_is_down(public_client, monkeypatch):
    def broken():
        raise ConnectionError("down")

    monkeypatch.setattr(cache._cache, "get_client", lambda *a, **k: type("C", (), {"ping": staticmethod(broken)})())
    response = public_client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["checks"]["redis"] == {"ok": False, "error": "ConnectionError"}
