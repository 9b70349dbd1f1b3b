"""The worker's side of an answer's stream: XADD the engine's events; the stop flag."""

from __future__ import annotations

import json

from .keys import END, STOP_TTL, STREAM_MAXLEN, STREAM_TTL, client, stop_key, stream_key


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
