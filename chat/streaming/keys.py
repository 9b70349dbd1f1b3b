"""Redis names of an answer's stream, and the client both sides use.

Keys: ``msg:<schema>:<message_id>`` (a stream; XADD with MAXLEN, expires after STREAM_TTL),
``msg:<schema>:<message_id>:stop`` (set by the stop endpoint, read by the generating task),
``msg:<schema>:<message_id>:alive`` (the writer's heartbeat: set every HEARTBEAT_EVERY seconds with
a HEARTBEAT_TTL expiry while a worker generates; gone = the writer died).
The last event of every stream is ``end`` ({"status": ...}); readers stop there.
"""

from __future__ import annotations

import json
from functools import lru_cache

import redis
from django.conf import settings
from django.db import connection

STREAM_TTL = 3600  # seconds a finished stream stays readable (a reload resumes within this)
STREAM_MAXLEN = 20_000
STOP_TTL = 600
END = "end"
RESTART = "restart"  # the answer starts again from nothing (redelivered after its writer died)
HEARTBEAT_EVERY = 3.0  # seconds between a writer's heartbeats
HEARTBEAT_TTL = 10  # seconds a heartbeat lives: a writer silent this long is dead


def stream_key(message_id, schema: str | None = None) -> str:
    return f"msg:{schema or getattr(connection, 'schema_name', 'public')}:{message_id}"


def stop_key(message_id, schema: str | None = None) -> str:
    return stream_key(message_id, schema) + ":stop"


def heartbeat_key(message_id, schema: str | None = None) -> str:
    return stream_key(message_id, schema) + ":alive"


@lru_cache(maxsize=1)
def client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)


def read_all(key: str) -> list:
    """Every event of a stream as (id, type, data); for tests and diagnostics."""
    entries: list = client().xrange(key)  # type: ignore[assignment]
    return [(eid, f["type"], json.loads(f["data"])) for eid, f in entries]
