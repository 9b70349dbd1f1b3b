"""Circuit breaker and rate limits, with their state in Redis so every worker shares it.

Keys include the tenant's schema (captured by the caller in the request's thread, because
worker threads of a consensus run have their own, public, database connection).

Redis being unreachable never blocks an answer: the breaker and the limits then let calls
through and log a warning.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

import redis
from django.conf import settings

log = logging.getLogger(__name__)

PREFIX = "chorus:orch"


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def client() -> redis.Redis:
    return _client(settings.REDIS_URL)


def _setting(name: str, default):
    return getattr(settings, name, default)


class CircuitBreaker:
    """Opens after ``threshold`` failures within ``window`` seconds; stays open ``cooldown``
    seconds; then lets one trial call through (half-open): success closes it, failure re-opens."""

    def __init__(self, schema: str, provider: str) -> None:
        base = f"{PREFIX}:{schema}:cb:{provider}"
        self.failures_key = base + ":failures"
        self.open_key = base + ":open"
        self.trial_key = base + ":trial"
        self.threshold = _setting("ORCHESTRATION_BREAKER_THRESHOLD", 5)
        self.window = _setting("ORCHESTRATION_BREAKER_WINDOW", 60)
        self.cooldown = _setting("ORCHESTRATION_BREAKER_COOLDOWN", 30)

    def state(self) -> str:
        try:
            r = client()
            if r.exists(self.open_key):
                return "open"
            return "half_open" if r.exists(self.trial_key + ":pending") else "closed"
        except redis.RedisError:
            log.warning("circuit breaker state unavailable (Redis); treating provider as healthy")
            return "closed"

    def is_open(self) -> bool:
        return self.state() == "open"

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one caller gets the trial."""
        try:
            r = client()
            if not r.exists(self.open_key):
                if not r.exists(self.trial_key + ":pending"):
                    return True
                return bool(r.set(self.trial_key, "1", nx=True, ex=max(1, int(self.cooldown))))
            return False
        except redis.RedisError:
            log.warning("circuit breaker unavailable (Redis); letting the call through")
            return True

    def record_success(self) -> None:
        try:
            client().delete(self.failures_key, self.trial_key, self.trial_key + ":pending")
        except redis.RedisError:
            pass

    def record_failure(self) -> None:
        try:
            r = client()
            pipe = r.pipeline()
            pipe.set(self.failures_key, 0, ex=int(self.window), nx=True)  # the window starts at the first failure
            pipe.incr(self.failures_key)
            _, failures = pipe.execute()
            half_open = r.exists(self.trial_key)
            if failures >= self.threshold or half_open:
                pipe = r.pipeline()
                pipe.set(self.open_key, str(time.time()), ex=max(1, int(self.cooldown)))
                # when the open key expires, the next caller gets a single trial call
                pipe.set(self.trial_key + ":pending", "1", ex=int(self.cooldown) + int(self.window))
                pipe.delete(self.failures_key, self.trial_key)
                pipe.execute()
                log.warning("circuit opened for %s", self.open_key.rsplit(":", 2)[0])
        except redis.RedisError:
            log.warning("circuit breaker could not record a failure (Redis)")

    def reset(self) -> None:
        try:
            client().delete(self.failures_key, self.open_key, self.trial_key, self.trial_key + ":pending")
        except redis.RedisError:
            pass


class RateLimiter:
    """Requests and tokens per minute for one provider of one tenant (fixed one-minute windows)."""

    def __init__(self, schema: str, provider: str, *, rpm: int | None, tpm: int | None) -> None:
        self.base = f"{PREFIX}:{schema}:rl:{provider}"
        self.rpm = rpm or None
        self.tpm = tpm or None

    def _window(self) -> int:
        return int(time.time() // 60)

    def acquire(self) -> str | None:
        """Count one request; returns None when allowed, or which limit ("requests"/"tokens") is reached."""
        if not self.rpm and not self.tpm:
            return None
        w = self._window()
        try:
            r = client()
            if self.tpm:
                used = int(r.get(f"{self.base}:tok:{w}") or 0)
                if used >= self.tpm:
                    return "tokens"
            if self.rpm:
                pipe = r.pipeline()
                pipe.incr(f"{self.base}:req:{w}")
                pipe.expire(f"{self.base}:req:{w}", 120)
                count, _ = pipe.execute()
                if count > self.rpm:
                    return "requests"
        except redis.RedisError:
            log.warning("rate limiter unavailable (Redis); letting the call through")
        return None

    def add_tokens(self, tokens: int) -> None:
        if not self.tpm or tokens <= 0:
            return
        w = self._window()
        try:
            pipe = client().pipeline()
            pipe.incrby(f"{self.base}:tok:{w}", tokens)
            pipe.expire(f"{self.base}:tok:{w}", 120)
            pipe.execute()
        except redis.RedisError:
            pass
