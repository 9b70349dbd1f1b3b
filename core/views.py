import time

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import health


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - a health check reports every failure
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    cache._cache.get_client().ping()  # the cache's own connection pool


def _worker() -> dict:
    """Live Celery workers by their heartbeats (core/health.py)."""
    started = time.perf_counter()
    try:
        workers = health.live_workers()
    except Exception as exc:  # noqa: BLE001 - a health check reports every failure
        return {"ok": False, "error": exc.__class__.__name__}
    ms = round((time.perf_counter() - started) * 1000, 2)
    if not workers:
        return {"ok": False, "error": "NoLiveWorker", "workers": 0, "ms": ms}
    return {"ok": True, "workers": len(workers), "ms": ms}


@never_cache
@require_GET
def healthz(request):
    """200 "ok" when the database and Redis answer (CONTRACT), with ``checks.worker`` saying whether
    a Celery worker's heartbeat is fresh: without one pages work and answers wait, so a proxy keeps
    web in service and does not restart it for a worker's fault (alert on ``checks.worker.ok``).
    503 "error": the database or Redis does not answer."""
    checks = {"database": _timed(_database), "redis": _timed(_redis), "worker": _worker()}
    if not (checks["database"]["ok"] and checks["redis"]["ok"]):
        return JsonResponse({"status": "error", "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})
