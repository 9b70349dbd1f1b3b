"""While Redis restarts, the generating worker's stop check answers "not asked to stop" (nobody can
have asked: the request is a key in Redis) instead of raising, which failed the whole answer with an
error mid-stream (bench/faults.py, redis scenario); the answer's next publish waits for Redis."""

import uuid

import redis

from chat.streaming import writer


def test_it_goes_on_when_the_stop_check_cannot_reach_redis(monkeypatch, tmp_path):
    gone = redis.Redis(unix_socket_path=str(tmp_path / "no-redis.sock"), decode_responses=True)
    monkeypatch.setattr(writer, "client", lambda: gone)
    assert writer.stop_requested(uuid.uuid4(), "t_tenant_a") is False  # raised ConnectionError before


def test_it_still_sees_a_stop_asked_for(tenant_a):
    message_id = uuid.uuid4()
    writer.request_stop(message_id, tenant_a.schema_name)
    assert writer.stop_requested(message_id, tenant_a.schema_name) is True
