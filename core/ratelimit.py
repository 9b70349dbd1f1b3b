"""Rate limits over Redis with the `limits` library (sliding-window counters).

One helper for every throttle in the product (questions, uploads, signups, streams, admin
sign-in). Callers name a limit as `limits` parses it ("20/minute", "5 per 10 seconds") and a key
made of what is being limited (user id, tenant schema, client IP). A refusal carries the number of
seconds until the next hit would be admitted, so the page can say when to try again.

Keys are namespaced by the caller; include the tenant schema where the thing limited lives in a
tenant (user ids are unique per schema only).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from limits import RateLimitItem, parse
from limits.storage import RedisStorage
from limits.strategies import SlidingWindowCounterRateLimiter


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # whole seconds until a new hit may pass; 0 when allowed


@lru_cache(maxsize=1)
def _limiter() -> SlidingWindowCounterRateLimiter:
    url = settings.REDIS_URL
    if url.startswith("unix://"):
        url = "redis+unix://" + url[len("unix://") :]
    return SlidingWindowCounterRateLimiter(RedisStorage(url, key_prefix="chorus-rl"))


@lru_cache(maxsize=256)
def _item(limit: str) -> RateLimitItem:
    return parse(limit)


def hit(limit: str, *key: str, cost: int = 1) -> Verdict:
    """Count one hit (or ``cost`` hits) against ``limit`` for ``key``; refuse without counting when over."""
    item = _item(limit)
    limiter = _limiter()
    if limiter.hit(item, *key, cost=cost):
        return Verdict(True, 0)
    reset_at = limiter.get_window_stats(item, *key).reset_time
    return Verdict(False, max(1, math.ceil(reset_at - time.time())))


def peek(limit: str, *key: str) -> Verdict:
    """Whether a hit would pass now, without counting one."""
    item = _item(limit)
    limiter = _limiter()
    if limiter.test(item, *key):
        return Verdict(True, 0)
    reset_at = limiter.get_window_stats(item, *key).reset_time
    return Verdict(False, max(1, math.ceil(reset_at - time.time())))


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the first hop of X-Forwarded-For when the operator
    says a proxy sets it (``TRUSTED_PROXY_COUNT`` > 0)."""
    hops = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
