"""Redis unreachable for a moment (restarting) while a worker writes an answer: the writer retries
with back-off and nothing of the answer is lost; past PUBLISH_RETRY_SECONDS the error is raised."""

import uuid

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from chat.streaming import keys, writer


class _Flaky:
    """Redis refusing the first ``failures`` pipelines, as while it restarts."""

    def __init__(self, real, failures):
        self.real, self.failures = real, failures

    def __getattr__(self, name):
        return getattr(self.real, name)

    def pipeline(self, *args, **kwargs):
        if self.failures > 0:
            self.failures -= 1
            raise RedisConnectionError("Connection refused")
        return self.real.pipeline(*args, **kwargs)


def test_it_retries_until_redis_is_back(monkeypatch):
    key = keys.stream_key(uuid.uuid4(), "public")
    flaky = _Flaky(keys.client(), failures=3)
    monkeypatch.setattr(writer, "BACKOFF_FIRST", 0.001)
    monkeypatch.setattr(writer, "client", lambda: flaky)
    publish = writer.Publisher(key, first=[("status", {"status": "streaming"})])
    publish("delta", {"text": "Hel"})
    publish("delta", {"text": "lo"})
    assert flaky.failures == 0
    assert [(t, d) for _, t, d in keys.read_all(key)] == [
        ("status", {"status": "streaming"}),
        ("delta", {"text": "Hel"}),
        ("delta", {"text": "lo"}),
    ]
    keys.client().delete(key)


def test_it_gives_up_after_the_retry_window(monkeypatch):
    key = keys.stream_key(uuid.uuid4(), "public")
    monkeypatch.setattr(writer, "PUBLISH_RETRY_SECONDS", 0.0)
    monkeypatch.setattr(writer, "client", lambda: _Flaky(keys.client(), failures=10**6))
    with pytest.raises(RedisConnectionError):
        writer.Publisher(key)("delta", {"text": "x"})
    assert keys.read_all(key) == []
