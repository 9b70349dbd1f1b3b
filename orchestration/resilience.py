"""Circuit breaker and rate limits, with their state in Redis so every worker shares it.

Keys include the tenant's schema (captured by the caller in the request's thread, because
worker threads of a consensus run have their own, public, database connection).

Every decision is one Lua script, so it is atomic across workers: a reservation against the
per-minute limits checks and counts in one step (parallel calls never overshoot a limit), and
the breaker's move from open to half-open hands out exactly one probe.

Redis being unreachable never blocks an answer: the breaker and the limits then let calls
through and log a warning.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from functools import lru_cache

import redis
from django.conf import settings

log = logging.getLogger(__name__)

PREFIX = "chorus:orch"
WINDOW = 60  # seconds: the limits are per minute


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def client() -> redis.Redis:
    return _client(settings.REDIS_URL)


def now() -> float:
    """The clock of breakers and limits (tests move it instead of sleeping)."""
    return time.time()


def _setting(name: str, default):
    return getattr(settings, name, default)


_scripts: dict[tuple[int, str], object] = {}


def _script(source: str):
    r = client()
    key = (id(r), source)
    script = _scripts.get(key)
    if script is None:
        script = _scripts[key] = r.register_script(source)
    return script


# --- circuit breaker ----------------------------------------------------------------------------
# One hash per (schema, provider): state (closed | open | half_open), failures and the end of
# their window, open_until, and the probe's token and deadline while half-open.

_BREAKER_ALLOW = """
local h = redis.call('HMGET', KEYS[1], 'state', 'open_until', 'probe_until')
local state = h[1] or 'closed'
local now = tonumber(ARGV[1])
if state == 'closed' then return 1 end
if state == 'open' and now < tonumber(h[2] or '0') then return 0 end
if state == 'half_open' and now < tonumber(h[3] or '0') then return 0 end
redis.call('HSET', KEYS[1], 'state', 'half_open', 'probe', ARGV[2], 'probe_until', now + tonumber(ARGV[3]))
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 2
"""

_BREAKER_SUCCESS = """
local h = redis.call('HMGET', KEYS[1], 'state', 'probe')
local state = h[1] or 'closed'
if state == 'closed' or (state == 'half_open' and h[2] == ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""

_BREAKER_FAILURE = """
local h = redis.call('HMGET', KEYS[1], 'state', 'failures', 'window_end', 'probe')
local state = h[1] or 'closed'
local now = tonumber(ARGV[1])
local threshold, window, cooldown, ttl = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local function trip()
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'state', 'open', 'open_until', now + cooldown)
  redis.call('EXPIRE', KEYS[1], ttl)
  return 1
end
if state == 'half_open' then
  if h[4] == ARGV[2] then return trip() end
  return 0
end
if state == 'open' then return 0 end
local failures, window_end = tonumber(h[2] or '0'), tonumber(h[3] or '0')
if now >= window_end then failures, window_end = 0, now + window end
failures = failures + 1
if failures >= threshold then return trip() end
redis.call('HSET', KEYS[1], 'state', 'closed', 'failures', failures, 'window_end', window_end)
redis.call('EXPIRE', KEYS[1], ttl)
return 0
"""

_BREAKER_RELEASE = """
local h = redis.call('HMGET', KEYS[1], 'state', 'probe')
if h[1] == 'half_open' and h[2] == ARGV[1] then
  redis.call('HSET', KEYS[1], 'probe_until', 0)
  return 1
end
return 0
"""


class CircuitBreaker:
    """Opens after ``threshold`` failures within ``window`` seconds; stays open ``cooldown``
    seconds; then lets exactly one probe call through (half-open): the probe's success closes it,
    its failure re-opens it. Outcomes of other calls (started before the circuit opened) change
    nothing while it is open or half-open. A probe that never reports (a lost worker) is replaced
    after ``probe_ttl`` seconds, the longest a call may take.

    One instance belongs to one call: :meth:`allow` remembers whether that call is the probe.
    """

    def __init__(self, schema: str, provider: str, *, probe_ttl: float | None = None) -> None:
        self.key = f"{PREFIX}:{schema}:cb:{provider}"
        self.threshold = int(_setting("ORCHESTRATION_BREAKER_THRESHOLD", 5))
        self.window = int(_setting("ORCHESTRATION_BREAKER_WINDOW", 60))
        self.cooldown = max(1, int(_setting("ORCHESTRATION_BREAKER_COOLDOWN", 30)))
        default_ttl = float(_setting("ORCHESTRATION_CALL_DEADLINE", 300)) + 60
        self.probe_ttl = max(1.0, float(probe_ttl or default_ttl))
        self.probe: str | None = None  # this call's token when it is the half-open probe

    @property
    def _ttl(self) -> int:
        return int(self.window + self.cooldown + self.probe_ttl + 60)

    def state(self) -> str:
        try:
            state, open_until = client().hmget(self.key, "state", "open_until")
        except redis.RedisError:
            log.warning("circuit breaker state unavailable (Redis); treating provider as healthy")
            return "closed"
        state = (state or b"closed").decode()
        if state == "open":
            return "open" if now() < float(open_until or 0) else "half_open"
        return state

    def is_open(self) -> bool:
        return self.state() == "open"

    def allow(self) -> bool:
        """May a call go out now? Closed: yes. Open: no. Half-open: yes for exactly one caller."""
        token = uuid.uuid4().hex
        try:
            verdict = _script(_BREAKER_ALLOW)(keys=[self.key], args=[now(), token, self.probe_ttl, self._ttl])
        except redis.RedisError:
            log.warning("circuit breaker unavailable (Redis); letting the call through")
            return True
        if verdict == 2:
            self.probe = token
        return verdict != 0

    def record_success(self) -> None:
        try:
            _script(_BREAKER_SUCCESS)(keys=[self.key], args=[self.probe or ""])
        except redis.RedisError:
            pass
        self.probe = None

    def record_failure(self) -> None:
        args = [now(), self.probe or "", self.threshold, self.window, self.cooldown, self._ttl]
        try:
            if _script(_BREAKER_FAILURE)(keys=[self.key], args=args):
                log.warning("circuit opened for %s", self.key)
        except redis.RedisError:
            log.warning("circuit breaker could not record a failure (Redis)")
        self.probe = None

    def release(self) -> None:
        """This call was the probe but never reached the provider: the next caller may probe."""
        if self.probe is None:
            return
        try:
            _script(_BREAKER_RELEASE)(keys=[self.key], args=[self.probe])
        except redis.RedisError:
            pass
        self.probe = None

    def reset(self) -> None:
        try:
            client().delete(self.key)
        except redis.RedisError:
            pass


# --- rate limits --------------------------------------------------------------------------------
# Sliding-window counters (the current minute's count plus the previous minute's, weighted by how
# much of it the window still covers), checked and counted in one script.

_RESERVE = """
local rpm, tpm, cost, weight, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local function used(cur, prev)
  return tonumber(redis.call('GET', cur) or '0') + math.floor(tonumber(redis.call('GET', prev) or '0') * weight)
end
if rpm > 0 and used(KEYS[1], KEYS[2]) + 1 > rpm then return -1 end
if tpm > 0 then
  cost = math.max(1, math.min(cost, tpm))
  if used(KEYS[3], KEYS[4]) + cost > tpm then return -2 end
end
if rpm > 0 then
  redis.call('INCR', KEYS[1])
  redis.call('EXPIRE', KEYS[1], ttl)
end
if tpm > 0 then
  redis.call('INCRBY', KEYS[3], cost)
  redis.call('EXPIRE', KEYS[3], ttl)
  return cost
end
return 0
"""

_RECONCILE = """
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if v < 0 then redis.call('SET', KEYS[1], 0) end
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return v
"""


class RateLimiter:
    """Requests and tokens per minute for one provider of one tenant (platform keys and the
    tenant's own keys counted apart).

    :meth:`acquire` reserves one request and an estimate of the call's tokens before the call, in
    one atomic step; :meth:`reconcile` replaces the estimate with the tokens the call really used.
    One instance belongs to one call.
    """

    def __init__(self, schema: str, provider: str, *, rpm: int | None, tpm: int | None, platform: bool = False) -> None:
        self.base = f"{PREFIX}:{schema}:rl:{provider}" + (":platform" if platform else "")
        self.rpm = rpm or None
        self.tpm = tpm or None
        self._reserved: tuple[str, int] | None = None  # (token counter key, tokens reserved)

    def _now(self) -> float:
        return now()

    def acquire(self, tokens: int = 0) -> str | None:
        """Reserve one request and ``tokens``; None when allowed, else which limit ("requests"/"tokens") is reached."""
        if not self.rpm and not self.tpm:
            return None
        t = self._now()
        w = math.floor(t / WINDOW)
        weight = 1 - (t - w * WINDOW) / WINDOW
        keys = [f"{self.base}:req:{w}", f"{self.base}:req:{w - 1}", f"{self.base}:tok:{w}", f"{self.base}:tok:{w - 1}"]
        try:
            args = [self.rpm or 0, self.tpm or 0, int(tokens), weight, 2 * WINDOW]
            verdict = int(_script(_RESERVE)(keys=keys, args=args))
        except redis.RedisError:
            log.warning("rate limiter unavailable (Redis); letting the call through")
            return None
        if verdict == -1:
            return "requests"
        if verdict == -2:
            return "tokens"
        if self.tpm:
            self._reserved = (keys[2], verdict)
        return None

    def reconcile(self, tokens: int) -> None:
        """The call used ``tokens``: correct the reservation (add the excess, return the rest)."""
        if not self.tpm or self._reserved is None:
            return
        key, reserved = self._reserved
        self._reserved = None
        delta = int(tokens) - reserved
        if delta == 0:
            return
        try:
            _script(_RECONCILE)(keys=[key], args=[delta, 2 * WINDOW])
        except redis.RedisError:
            pass
