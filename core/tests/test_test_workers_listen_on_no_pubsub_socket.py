"""The Celery workers the tests start in this process hold no pub/sub connection: remote control
(the pidbox) is off in the test settings. Its socket has no timeout, and a test worker hung reading
it at teardown (config/settings/test.py says when)."""

import uuid

from celery.contrib.testing.worker import start_worker

from config.celery_app import app


def test_it_starts_a_test_worker_without_remote_control(db):
    queue = f"test-no-pidbox-{uuid.uuid4().hex[:8]}"  # the worker takes no other test's tasks
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, queues=[queue]) as worker:
        consumer = worker.consumer
        channels = consumer.connection.transport.channels
        assert channels  # the task queue's channel, to look at
        assert [c.active_fanout_queues for c in channels if c.active_fanout_queues] == []  # no pub/sub
        assert not any(c._in_listen for c in channels)
