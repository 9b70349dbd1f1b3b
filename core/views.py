import sys
import time

import redis
from django import db
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
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


# A database or Redis that does not answer (down, restarting, out of connections): the request fails
# with 503 and a page saying to try again shortly, not with 500 "something went wrong".
UNAVAILABLE = (db.OperationalError, db.InterfaceError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
RETRY_AFTER = 10  # seconds: PostgreSQL and Redis restart in a few (docs/FAULTS.md)


def server_error(request):
    """handler500 of both URL configurations: 503 when the database or Redis is unavailable.

    Django calls it for every uncaught exception, also one raised in a middleware before any view
    (the tenant lookup is usually the first query of a request). The page uses neither the database
    nor the request's context processors (nor a stylesheet: a static file's request would fail the
    same way); its language is the visitor's (cookie, Accept-Language). Its <style> carries the CSP
    nonce when the CSP middleware saw the request (it then writes the policy on this response)."""
    exc = sys.exc_info()[1]
    language = translation.get_language_from_request(request)
    try:
        nonce = str(request.csp_nonce) if hasattr(request, "csp_nonce") else ""
    except Exception:  # noqa: BLE001 - no nonce (the policy was written already): the page stays plain
        nonce = ""
    with translation.override(language):
        if isinstance(exc, UNAVAILABLE):
            context = {"LANGUAGE_CODE": language, "CSP_NONCE": nonce}
            html = render_to_string("503.html", context)
            return HttpResponse(html, status=503, headers={"Retry-After": str(RETRY_AFTER)})
        return HttpResponseServerError(render_to_string("500.html", {"LANGUAGE_CODE": language}))
