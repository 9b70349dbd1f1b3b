"""The Redis side of an answer: one stream of events per message and a stop flag.

Keys: ``msg:<schema>:<message_id>`` (a stream; XADD with MAXLEN, expires after STREAM_TTL) and
``msg:<schema>:<message_id>:stop`` (set by the stop endpoint, read by the generating task).
The last event of every stream is ``end`` ({"status": ...}); readers stop there.
"""

from __future__ import annotations

import json
from functools import lru_cache

import redis
import redis.asyncio as aredis
from django.conf import settings
from django.db import connection

STREAM_TTL = 3600  # seconds a finished stream stays readable (a reload resumes within this)
STREAM_MAXLEN = 20_000
STOP_TTL = 600
END = "end"


def stream_key(message_id, schema: str | None = None) -> str:
    return f"msg:{schema or getattr(connection, 'schema_name', 'public')}:{message_id}"


def stop_key(message_id, schema: str | None = None) -> str:
    return stream_key(message_id, schema) + ":stop"


@lru_cache(maxsize=1)
def client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)


# Socket timeout of the SSE view's client: above its XREAD BLOCK (15 s, then a keep-alive). redis-py
# 8 defaults to 5 s, which cut every stream that had no event for 5 s (a queued or slow answer).
ASYNC_SOCKET_TIMEOUT = 30


def async_client() -> aredis.Redis:
    # One client per event loop: redis.asyncio connections belong to the loop that made them.
    return aredis.Redis.from_url(settings.REDIS_URL, decode_responses=True, socket_timeout=ASYNC_SOCKET_TIMEOUT)


def publish(key: str, type_: str, data: dict, *, pipe=None):
    target = pipe if pipe is not None else client()
    result = target.xadd(key, {"type": type_, "data": json.dumps(data)}, maxlen=STREAM_MAXLEN, approximate=True)
    if type_ == END:
        target.expire(key, STREAM_TTL)
    return result


class Publisher:
    """Buffers nothing; refreshes the stream's expiry now and then so a long answer never expires.

    ``first``: an event sent together with the first one published (one round trip, not two)."""

    def __init__(self, key: str, *, first: tuple[str, dict] | None = None):
        self.key = key
        self.count = 0
        self.first = first

    def __call__(self, type_: str, data: dict) -> None:
        r = client()
        with r.pipeline(transaction=False) as pipe:
            if self.first is not None:
                publish(self.key, *self.first, pipe=pipe)
                self.first = None
            publish(self.key, type_, data, pipe=pipe)
            if self.count % 50 == 0:
                pipe.expire(self.key, STREAM_TTL)
            pipe.execute()
        self.count += 1


def request_stop(message_id, schema: str | None = None) -> None:
    client().set(stop_key(message_id, schema), "1", ex=STOP_TTL)


def stop_requested(message_id, schema: str | None = None) -> bool:
    return bool(client().exists(stop_key(message_id, schema)))


def reset(message_id, schema: str | None = None) -> None:
    client().delete(stream_key(message_id, schema), stop_key(message_id, schema))


def read_all(key: str) -> list:
    """Every event of a stream as (id, type, data); for tests and diagnostics."""
    entries: list = client().xrange(key)  # type: ignore[assignment]
    return [(eid, f["type"], json.loads(f["data"])) for eid, f in entries]


def sse_frame(event_id: str | None, type_: str, data: dict | str) -> str:
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {type_}\ndata: {payload}\n\n"
