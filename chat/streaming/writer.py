"""The worker's side of an answer's stream: XADD the engine's events, the stop flag, the heartbeat.

A Redis error while publishing (Redis restarting under a running worker) is retried with back-off
for up to PUBLISH_RETRY_SECONDS, so the stream loses nothing; then it is raised (the answer ends as
an error, its text kept in the database).
"""

from __future__ import annotations

import json
import logging
import threading
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .keys import (
    END,
    HEARTBEAT_EVERY,
    HEARTBEAT_TTL,
    STOP_TTL,
    STREAM_MAXLEN,
    STREAM_TTL,
    client,
    heartbeat_key,
    stop_key,
    stream_key,
)

logger = logging.getLogger(__name__)
PUBLISH_RETRY_SECONDS = 30.0
BACKOFF_FIRST, BACKOFF_MAX = 0.05, 2.0


def _retrying(send):
    """``send()``, again with back-off while Redis is unreachable (XADD of one entry is idempotent
    enough here: a retried pipeline that had reached Redis adds the entry twice at worst, and the
    SSE view sends ids in order, so a reader sees a repeated delta only then)."""
    deadline = time.monotonic() + PUBLISH_RETRY_SECONDS
    backoff = BACKOFF_FIRST
    while True:
        try:
            return send()
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            if time.monotonic() + backoff > deadline:
                raise
            logger.warning("publishing to the answer stream failed (%s); retrying in %.2f s", exc, backoff)
            time.sleep(backoff)  # back-off between reconnects, not a synchronisation
            backoff = min(backoff * 2, BACKOFF_MAX)


def publish(key: str, type_: str, data: dict, *, pipe=None):
    if pipe is None:
        return _retrying(lambda: _publish(key, type_, data, client()))
    return _publish(key, type_, data, pipe)


def _publish(key: str, type_: str, data: dict, target):
    result = target.xadd(key, {"type": type_, "data": json.dumps(data)}, maxlen=STREAM_MAXLEN, approximate=True)
    if type_ == END:
        target.expire(key, STREAM_TTL)
    return result


class Publisher:
    """Buffers nothing; refreshes the stream's expiry now and then so a long answer never expires.

    ``first``: events sent together with the first one published (one round trip, not two)."""

    def __init__(self, key: str, *, first: list[tuple[str, dict]] | None = None):
        self.key = key
        self.count = 0
        self.first = first

    def __call__(self, type_: str, data: dict) -> None:
        def send():
            with client().pipeline(transaction=False) as pipe:
                for type_first, data_first in self.first or ():
                    publish(self.key, type_first, data_first, pipe=pipe)
                publish(self.key, type_, data, pipe=pipe)
                if self.count % 50 == 0:
                    pipe.expire(self.key, STREAM_TTL)
                pipe.execute()

        _retrying(send)
        self.first = None
        self.count += 1


def request_stop(message_id, schema: str | None = None) -> None:
    client().set(stop_key(message_id, schema), "1", ex=STOP_TTL)


def stop_requested(message_id, schema: str | None = None) -> bool:
    """Whether the stop endpoint asked this answer to stop. While Redis is unreachable nobody can
    have asked (the request is a key in Redis): the answer goes on, and its next publish waits for
    Redis (``_retrying``). Before, the check's ConnectionError failed the whole answer."""
    try:
        return bool(client().exists(stop_key(message_id, schema)))
    except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
        logger.warning("stop check skipped: Redis unreachable (%s)", exc)
        return False


def reset(message_id, schema: str | None = None) -> None:
    client().delete(stream_key(message_id, schema), stop_key(message_id, schema))


class Heartbeat:
    """While generating, a thread sets the answer's heartbeat key (expiring after HEARTBEAT_TTL)
    every HEARTBEAT_EVERY seconds, also while the engine waits on a slow provider. When the worker
    process dies the key expires: the SSE view and the sweep see a dead writer (chat.services.generation).
    """

    def __init__(self, message_id, schema: str | None = None):
        self.key = heartbeat_key(message_id, schema)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat {self.key}", daemon=True)

    def _beat(self) -> None:
        try:
            client().set(self.key, "1", ex=HEARTBEAT_TTL)
        except (RedisError, OSError) as exc:  # Redis restarting: the next beat tries again
            logger.warning("heartbeat %s failed: %s", self.key, exc)

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY):
            self._beat()

    def __enter__(self) -> Heartbeat:
        self._beat()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=HEARTBEAT_EVERY + 1)
        try:
            client().delete(self.key)
        except (RedisError, OSError):
            pass  # it expires


def writer_alive(message_id, schema: str | None = None) -> bool:
    return bool(client().exists(heartbeat_key(message_id, schema)))
