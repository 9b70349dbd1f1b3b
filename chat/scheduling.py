"""Fair scheduling of answer generation across tenants: a per-tenant cap on concurrent generations.

Every tenant's answers share the workers' ``orchestration`` queue. Before generating, the task
takes one of its tenant's ``GENERATIONS_PER_TENANT`` slots (:func:`slot_claim`). When all are
taken, the answer goes to the end of that tenant's waiting list in Redis and the task ends at once,
so it holds no worker: the next task in the queue (often another tenant's) runs instead. A
finishing generation gives its slot straight to its tenant's next waiting answer
(:func:`slot_release` returns it; the caller enqueues it, at the back of the shared queue, so
tenants take turns). One tenant's burst therefore occupies at most its cap of worker processes.

Slots expire (``SLOT_TTL``, above the task's hard time limit), so a worker that died never keeps
one; :func:`dispatch_waiting` (beat, and after every release) hands expired slots to waiting
answers. Redis keys: ``<ns>:slots:{<schema>}`` (sorted set: message id -> expiry),
``<ns>:waiting:{<schema>}`` (list of "<message id>|<moderate 0/1>"), ``<ns>:waiting-tenants`` (set).

An answer handed a slot whose task then finds it already final (stopped, swept, redelivered)
releases the slot at once (the claim in the database is unchanged: pending -> streaming, once).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from .streaming.keys import client

NAMESPACE = "chat-gen"  # tests give each test a namespace of its own
SLOT_TTL = 360  # seconds; chat.tasks.generate_answer is killed after 330 s


@dataclass(frozen=True)
class Waiting:
    message_id: str
    moderate: bool


def _keys(schema: str) -> list[str]:
    tag = "{" + schema + "}"  # one hash slot per tenant (Redis Cluster)
    return [f"{NAMESPACE}:slots:{tag}", f"{NAMESPACE}:waiting:{tag}", f"{NAMESPACE}:waiting-tenants"]


def cap() -> int:
    return int(settings.GENERATIONS_PER_TENANT)


# KEYS: slots, waiting, waiting-tenants. ARGV: message id, now, ttl, cap, waiting entry, schema.
# 1: the slot is this message's (new, or already its own: a redelivered or handed-over task);
# 0: queued in the tenant's waiting list (once).
_CLAIM = """
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  return 1
end
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('EXPIRE', KEYS[1], 2 * tonumber(ARGV[3]))
  return 1
end
if not redis.call('LPOS', KEYS[2], ARGV[5]) then
  redis.call('RPUSH', KEYS[2], ARGV[5])
end
redis.call('SADD', KEYS[3], ARGV[6])
return 0
"""

# KEYS: slots, waiting, waiting-tenants. ARGV: message id ('' for none), now, ttl, cap, schema.
# Frees the message's slot and expired ones, then gives free slots to waiting answers, oldest first;
# returns the entries that got one (their tasks must be sent).
_RELEASE = """
local now = tonumber(ARGV[2])
if ARGV[1] ~= '' then redis.call('ZREM', KEYS[1], ARGV[1]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local handed = {}
while redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) do
  local entry = redis.call('LPOP', KEYS[2])
  if not entry then break end
  local id = string.match(entry, '^[^|]+')
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), id)
  redis.call('EXPIRE', KEYS[1], 2 * tonumber(ARGV[3]))
  table.insert(handed, entry)
end
if redis.call('LLEN', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[5]) end
return handed
"""


@lru_cache(maxsize=1)
def _scripts():
    r = client()
    return r.register_script(_CLAIM), r.register_script(_RELEASE)


def _entry(message_id, moderate: bool) -> str:
    return f"{message_id}|{1 if moderate else 0}"


def _parse(entry: str) -> Waiting:
    message_id, _, moderate = entry.partition("|")
    return Waiting(message_id=message_id, moderate=moderate == "1")


def slot_claim(schema: str, message_id, *, moderate: bool = False, now: float | None = None) -> bool:
    """True: generate now (the slot is held until :func:`slot_release`, at most SLOT_TTL);
    False: the tenant is at its cap and the answer waits in its list (the caller just returns)."""
    limit = cap()
    if limit <= 0:
        return True
    claim, _release = _scripts()
    now = time.time() if now is None else now
    keys = _keys(schema)
    return bool(claim(keys=keys, args=[str(message_id), now, SLOT_TTL, limit, _entry(message_id, moderate), schema]))


def slot_release(schema: str, message_id, *, now: float | None = None) -> list[Waiting]:
    """Give the slot back; returns the waiting answers that now hold a slot (send their tasks)."""
    if cap() <= 0:
        return []
    _claim, release = _scripts()
    now = time.time() if now is None else now
    handed = release(keys=_keys(schema), args=[str(message_id or ""), now, SLOT_TTL, cap(), schema])
    return [_parse(e) for e in handed]


def dispatch_waiting(*, now: float | None = None) -> dict[str, list[Waiting]]:
    """For every tenant with waiting answers: expired slots go to them (a worker died holding one)."""
    if cap() <= 0:
        return {}
    out = {}
    for schema in sorted(client().smembers(_keys("-")[2])):
        handed = slot_release(schema, "", now=now)
        if handed:
            out[schema] = handed
    return out


def running(schema: str) -> list[str]:
    """Message ids holding a slot now (tests, diagnostics)."""
    key = _keys(schema)[0]
    return list(client().zrangebyscore(key, time.time(), "+inf"))


def waiting(schema: str) -> list[Waiting]:
    return [_parse(e) for e in client().lrange(_keys(schema)[1], 0, -1)]
