"""Admission of questions and answer streams: what is checked before anything is stored or opened.

``question_admit`` is the one place a question (new conversation, send, edit, regenerate) is let
in: the per-user and per-tenant rate limits (both moving one-minute windows, taken together by one
Lua script in Redis); the plan's quota belongs beside them. A refusal raises
:class:`QuestionLimited`, which views answer with 429, the limit reached and the time to retry.

``stream_open`` / ``stream_close`` cap the answer streams (SSE) one user holds open at once.

``sessions_open`` counts the workspace's concurrent sessions for the plan's session limit
(docs/adr/0013): its answers being written (pending or streaming). chat hands it to billing's
``quota_reserve``, which calls it under the tenant's session lock. A session is taken by storing the
pending answer and freed by the answer leaving the open statuses (finished, stopped, failed, or
ended by the sweep when its worker died), so no place can leak.
"""

from __future__ import annotations

import time
import uuid
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.utils.translation import ngettext

from .services.errors import ChatRefused

# Every Redis key of this module starts with it (tests give each test a namespace of its own).
NAMESPACE = "chat"


class QuestionLimited(ChatRefused):
    """A question refused by a rate limit; ``scope`` is "user" or "tenant"."""

    def __init__(self, *, scope: str, per_minute: int, retry_after: int):
        self.scope = scope
        self.per_minute = per_minute
        self.retry_after = retry_after
        super().__init__(self.text(), code="rate_limited")

    def text(self) -> str:
        if self.scope == "user":
            limit = ngettext(
                "You can ask at most %(n)d question per minute.",
                "You can ask at most %(n)d questions per minute.",
                self.per_minute,
            ) % {"n": self.per_minute}
        else:
            limit = ngettext(
                "Your workspace can ask at most %(n)d question per minute, for everyone together.",
                "Your workspace can ask at most %(n)d questions per minute, for everyone together.",
                self.per_minute,
            ) % {"n": self.per_minute}
        retry = ngettext(
            "Please try again in %(s)d second.", "Please try again in %(s)d seconds.", self.retry_after
        ) % {"s": self.retry_after}
        return f"{limit} {retry}"


def _schema() -> str:
    return getattr(connection, "schema_name", "public")


def tenant_questions_per_minute() -> int:
    """The current tenant's own limit (operator-set ``features.questions_per_minute``), else the platform's."""
    features = getattr(getattr(connection, "tenant", None), "features", None) or {}
    value = features.get("questions_per_minute") if isinstance(features, dict) else None
    return int(value or settings.QUESTIONS_PER_MINUTE_TENANT)


# Both per-minute windows of a question in one Lua script (atomic in Redis): each window is a sorted
# set of the questions admitted in the last minute (score = when, in ms of Redis's clock). The
# workspace's window is checked first, then the user's; the question is added to both or to neither.
# It replaces check (peek the workspace) -> count the user -> count the workspace, where concurrent
# questions that passed the peek were charged to their users' windows and then refused by the
# workspace's. Returns {0, 0} when admitted, else {1 (user) or 2 (workspace), ms until a place frees}.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limits = {tonumber(ARGV[2]), tonumber(ARGV[3])}
for _, i in ipairs({2, 1}) do
  if limits[i] > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
    if redis.call('ZCARD', KEYS[i]) >= limits[i] then
      local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
      return {i, tonumber(oldest[2]) + window - now}
    end
  end
end
for i = 1, 2 do
  if limits[i] > 0 then
    redis.call('ZADD', KEYS[i], now, ARGV[4])
    redis.call('PEXPIRE', KEYS[i], window)
  end
end
return {0, 0}
"""
WINDOW_MS = 60_000


@lru_cache(maxsize=1)
def _admit_script():
    """The script, sent by its SHA (EVALSHA; reloaded by redis-py if the server lost it), on a client
    kept for the process (its connection pool is reused instead of opening a connection per question)."""
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, decode_responses=True).register_script(_ADMIT)


def _question_keys(schema: str, user_id) -> list[str]:
    return [f"{NAMESPACE}:questions-user:{schema}:{user_id}", f"{NAMESPACE}:questions-tenant:{schema}"]


def question_admit(*, user_id) -> None:
    """Count one question of ``user_id`` in the current tenant, or raise QuestionLimited (counted
    nowhere when refused: neither the user's window nor the workspace's). One Redis round trip,
    atomic, so N concurrent questions with N-k places left admit exactly N-k. Call before anything
    is stored."""
    schema = _schema()
    per_user = int(settings.QUESTIONS_PER_MINUTE_USER)
    per_tenant = tenant_questions_per_minute()
    if per_user <= 0 and per_tenant <= 0:
        return
    refused, wait_ms = _admit_script()(
        keys=_question_keys(schema, user_id), args=[WINDOW_MS, max(per_user, 0), max(per_tenant, 0), uuid.uuid4().hex]
    )
    if int(refused):
        scope = "user" if int(refused) == 1 else "tenant"
        raise QuestionLimited(
            scope=scope,
            per_minute=per_user if scope == "user" else per_tenant,
            retry_after=max(1, -(-int(wait_ms) // 1000)),
        )


@lru_cache(maxsize=1)
def _sessions_sql() -> str:
    from .models import Message

    statuses = ", ".join(f"'{s.value}'" for s in Message.OPEN)  # constants of the model, no input
    return f'SELECT count(*) FROM "{Message._meta.db_table}" WHERE status IN ({statuses})'


def sessions_open() -> int:
    """The current workspace's answers being written now (the partial unique index on open answers
    serves the count). Plain SQL: on the question's path, the ORM's compiling of the same count cost
    five times its CPU (1.1 ms against 0.2 ms at load 12, docs/PERFORMANCE.md)."""
    with connection.cursor() as cursor:
        cursor.execute(_sessions_sql())
        return int(cursor.fetchone()[0])


# --- Open answer streams per user -------------------------------------------------------------
# A sorted set per user: member = one open stream, score = when it expires. A stream that ends
# removes itself; one whose process died expires (streams end after chat.streaming.sse.MAX_SECONDS).
STREAM_TTL = 660  # seconds: above the longest a stream stays open (600 s), then the browser reconnects

_OPEN = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, oldest[2]}
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {1, 0}
"""


def _streams_key(schema: str, user_id) -> str:
    return f"{NAMESPACE}:open-streams:{schema}:{user_id}"


def streams_cap() -> int:
    return int(settings.STREAMS_PER_USER)


async def stream_open(redis, *, schema: str, user_id) -> tuple[str | None, int]:
    """Take one of the user's stream places: (token, 0), or (None, seconds until one frees) when all
    ``STREAMS_PER_USER`` are taken. ``redis``: an asyncio client of the running loop."""
    cap = streams_cap()
    if cap <= 0:
        return "unlimited", 0
    token = uuid.uuid4().hex
    now = time.time()
    allowed, oldest = await redis.eval(
        _OPEN, 1, _streams_key(schema, user_id), now, now + STREAM_TTL, cap, token, STREAM_TTL
    )
    if int(allowed):
        return token, 0
    return None, max(1, int(float(oldest) - now))


async def stream_close(redis, *, schema: str, user_id, token: str | None) -> None:
    if token and token != "unlimited":
        await redis.zrem(_streams_key(schema, user_id), token)


def open_streams(*, schema: str, user_id) -> int:
    """How many stream places the user holds now (for tests and diagnostics)."""
    from .streaming.keys import client

    key = _streams_key(schema, user_id)
    client().zremrangebyscore(key, "-inf", time.time())
    return int(client().zcard(key))
