"""A Celery worker that loses Redis with a task in flight closes the broken connection and goes on
to reconnect, and the task's late ack on the old channel fails as a connection error, which the
worker logs (celery 5.7 + kombu 5.7 raised AttributeError in both, and the worker stopped with
"Unrecoverable error" on every Redis restart; config/celery_app.py).

The broken connection is made for real on the test's Redis: a message delivered and not acked (an
answer's task is acks_late), then ``collect()`` as the consumer calls it while its channel's close
fails with a connection error, as it does while Redis is down; then the consumer's own close."""

import uuid

import pytest
import redis.exceptions
from celery.worker.consumer import consumer
from django.conf import settings
from kombu import Connection, Consumer, Exchange, Producer, Queue
from kombu.transport import redis as kombu_redis

import config.celery_app  # noqa: F401 - the worker's set-up


def test_it_closes_a_connection_broken_with_a_task_in_flight_and_fails_its_ack_as_a_connection_error(monkeypatch):
    name = f"test-broken-broker-{uuid.uuid4().hex}"
    queue = Queue(name, Exchange(name), name)
    with Connection(settings.CELERY_BROKER_URL) as conn:
        Producer(conn.default_channel).publish(
            {"task": "in flight"}, exchange=queue.exchange, routing_key=name, declare=[queue]
        )
    broken = Connection(settings.CELERY_BROKER_URL)
    try:
        channel = broken.default_channel
        delivered = []
        Consumer(channel, [queue], callbacks=[lambda body, message: delivered.append(message)], no_ack=False).consume()
        broken.drain_events(timeout=5)
        assert len(delivered) == 1 and len(channel.qos._delivered) == 1  # in flight, not acked

        close = kombu_redis.Channel.close

        def redis_gone(self):
            raise redis.exceptions.ConnectionError("Error 2 connecting to redis.sock")

        monkeypatch.setattr(kombu_redis.Channel, "close", redis_gone)
        broken.collect(socket_timeout=0.5)  # what the consumer does first (its errors are passed over)
        monkeypatch.setattr(kombu_redis.Channel, "close", close)

        consumer.ignore_errors(broken, broken.close)  # raised AttributeError before: the worker stopped
        with pytest.raises(broken.connection_errors):  # the worker's ack_log_error logs these and goes on
            delivered[0].ack()
    finally:
        with Connection(settings.CELERY_BROKER_URL) as conn:
            conn.default_channel.queue_delete(name)
