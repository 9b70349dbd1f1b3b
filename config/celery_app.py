import logging
import os

from celery import bootsteps, signals
from tenant_schemas_celery.app import CeleryApp

from config.logging import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = CeleryApp("chorus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# task log lines carry the task id and the tenant schema (config/logging.py)
connect_celery_signals()


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Writes this worker's heartbeat for /healthz (core/health.py): once when the consumer starts,
    then every WORKER_HEARTBEAT_INTERVAL seconds on the consumer's timer; removed on shutdown."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.tref = None

    def start(self, c):
        from django.conf import settings

        self._beat(c)
        self.tref = c.timer.call_repeatedly(settings.WORKER_HEARTBEAT_INTERVAL, self._beat, (c,), priority=10)

    def stop(self, c):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
        try:
            from core import health

            health.worker_gone(c.hostname)
        except Exception:  # noqa: BLE001 - Redis may be what is going away
            logging.getLogger(__name__).warning("worker heartbeat not removed", exc_info=True)

    def shutdown(self, c):
        self.stop(c)

    @staticmethod
    def _beat(c):
        try:
            from core import health

            health.worker_beat(c.hostname)
        except Exception:  # noqa: BLE001 - a missed beat shows in /healthz, it must not stop the worker
            logging.getLogger(__name__).warning("worker heartbeat not written", exc_info=True)


app.steps["consumer"].add(WorkerHeartbeat)


def _a_dead_broker_channel_raises_a_connection_error() -> None:
    """After a lost Redis connection, celery 5.7 ``collect()``s the broken connection (which drops
    its transport's client) and then closes it; and a task that was in flight (acks_late: every
    answer) acks on its old channel when it finishes. Either way kombu 5.7's Redis channel builds a
    client from the dropped one and raises AttributeError, which no caller expects: the worker stopped
    with "Unrecoverable error" on every Redis restart (bench/faults.py). Here such a channel raises
    a connection error instead, which both callers handle (the close is passed over; the ack is
    logged, and the message comes back after Redis's visibility timeout, a no-op for an answer).
    Test: core/tests/test_the_worker_survives_a_broker_connection_loss.py."""
    from kombu.transport import redis as kombu_redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    connparams = kombu_redis.Channel._connparams

    def _connparams(self, asynchronous=False):
        if self.connection.client is None:
            raise RedisConnectionError("this broker connection was closed after it broke")
        return connparams(self, asynchronous=asynchronous)

    kombu_redis.Channel._connparams = _connparams


_a_dead_broker_channel_raises_a_connection_error()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(**_kwargs):
    """Django's rule around each task: the connection goes back to the pool (or is closed).

    Celery's Django fix-up would instead close the whole pool of a prefork process before and
    after every task, so that each task opened new PostgreSQL connections (3-6 ms each, twice per
    answer); ``CELERY_DB_REUSE_MAX`` (settings) switches the fix-up's closing off.
    """
    from django.db import close_old_connections

    close_old_connections()
