"""Celery worker heartbeats for /healthz.

Each worker's consumer writes its hostname with the time into one Redis sorted set when it starts
consuming and every ``WORKER_HEARTBEAT_INTERVAL`` seconds after (config/celery_app.py: a consumer
bootstep on the worker's own timer; Celery's ``heartbeat_sent`` signal would need task events
switched on, ``-E``, and a beat task would say nothing about the worker itself). A clean shutdown
removes it. A worker counts as live when its last beat is at most ``WORKER_HEARTBEAT_MAX_AGE`` old.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def _client():
    return cache._cache.get_client()  # the cache's own connection pool (Redis), raw keys


def _key() -> str:
    return settings.WORKER_HEARTBEAT_KEY


def worker_beat(hostname: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    pipe = _client().pipeline()
    pipe.zadd(_key(), {hostname: now})
    pipe.zremrangebyscore(_key(), 0, now - 24 * 3600)  # workers gone for a day are forgotten
    pipe.expire(_key(), 24 * 3600)
    pipe.execute()


def worker_gone(hostname: str) -> None:
    _client().zrem(_key(), hostname)


def live_workers(now: float | None = None) -> list[str]:
    now = time.time() if now is None else now
    names = _client().zrangebyscore(_key(), now - settings.WORKER_HEARTBEAT_MAX_AGE, "+inf")
    return sorted(n.decode() if isinstance(n, bytes) else n for n in names)
