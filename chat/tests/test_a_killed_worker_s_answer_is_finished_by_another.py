"""A real Celery worker's pool process SIGKILLed mid-answer: its heartbeat stops, the sweep
redelivers the answer, the worker's new pool process finishes it, and its usage is charged once.

The fake provider holds the answer mid-stream (``pause_after``) until the process is dead, so the
kill lands mid-answer deterministically. The worker consumes a queue of this test's own
(``CHAT_ANSWER_QUEUE``, read by chat at each send, set here and in the worker's environment): the
browser tests' in-process worker consumes "orchestration" and must not take this answer in a full run.
Waits block on the answer's Redis stream (XREAD BLOCK) or, for the sweep, which has no event to
wait on, poll it; their deadline is a timeout (a failure), not the synchronisation."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest
from django.conf import settings
from django.db import connection

from billing.models import UsageLog
from chat.models import Message
from chat.services import conversation_start, generation_sweep
from chat.streaming import keys, writer

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 90  # seconds: a timeout here is a failure


def _database_url() -> str:
    s = connection.settings_dict
    name = s["NAME"]  # the test database (pytest-django renamed it)
    if str(s["HOST"]).startswith("/"):
        return f"postgres://{quote(s['USER'])}@/{name}?host={s['HOST']}"
    return f"postgres://{quote(s['USER'])}:{quote(s['PASSWORD'] or '')}@{s['HOST']}:{s['PORT']}/{name}"


def _wait(condition, what: str):
    """Polls ``condition`` (the sweep: nothing signals a heartbeat's expiry) until true or the deadline."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.1)  # polling interval of a condition wait
    raise AssertionError(f"timed out waiting for {what}")


def _stream_until(key: str, wanted, after: str = "0-0") -> str:
    """Block on the stream until an event whose type is in ``wanted`` arrives; its id."""
    end = time.monotonic() + DEADLINE
    while (left := end - time.monotonic()) > 0:
        for _key, entries in keys.client().xread({key: after}, block=int(min(left, 1) * 1000)) or []:
            for event_id, fields in entries:
                after = event_id
                if fields["type"] in wanted:
                    return event_id
    raise AssertionError(f"timed out waiting for {wanted} on {key}")


def _report(**figures) -> None:
    """bench/faults.py reads the recovery times from the file it names (CHORUS_FAULTS_OUT)."""
    out = os.environ.get("CHORUS_FAULTS_OUT")
    if out:
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps({"fault": "worker_sigkill", **figures}) + "\n")


# The test needs the test database set up (pytest-django sets up only the databases its collected
# tests mark), but not its transaction: the worker process sees committed rows only. The marker
# declares the database; this module's own `_django_db_marker` (pytest-django's autouse fixture that
# would wrap the test in a TestCase transaction) leaves the wrapping out. Writes go through
# django_db_blocker.unblock() and are cleaned up by `committed_tenant`.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _django_db_marker():
    """Overrides pytest-django's (4.14): the marker only declares the database, no transaction."""


@pytest.fixture
def committed_tenant(django_db_setup, django_db_blocker):
    """A committed workspace (the worker process sees only committed data)."""
    from accounts.models import User
    from conftest import PASSWORD
    from tenants.models import Tenant
    from tenants.services import tenant_create, tenant_provision

    with django_db_blocker.unblock():
        Tenant.objects.filter(subdomain="killed-worker").delete()
        tenant = tenant_create(
            name="Killed Worker Co",
            subdomain="killed-worker",
            owner_email="kw@example.com",
            owner_password=PASSWORD,
            owner_name="Kim Worker",
            provision=False,
        )
        tenant = tenant_provision(tenant_id=tenant.pk)
        connection.set_tenant(tenant)
        owner = User.objects.get(email="kw@example.com")
        try:
            yield tenant, owner
        finally:
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute(  # the killed pool process's, if PostgreSQL has not noticed yet
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = 'chorus-test-worker'"
                )
            Tenant.objects.get(pk=tenant.pk).delete(force_drop=True)


@pytest.fixture
def answer_queue(settings):
    """This test's own answers' queue (chat sends answers to CHAT_ANSWER_QUEUE); removed after it."""
    from config.celery_app import app

    queue = settings.CHAT_ANSWER_QUEUE = f"test-fault-answers-{uuid.uuid4().hex}"
    yield queue
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)


@pytest.fixture
def worker(_fake_server, answer_queue):
    """One real worker (prefork, one pool process) on this test's answers' queue only, in its own process."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chat.tests.worker_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CHORUS_TEST_OPENAI_KEY": "sk-platform-openai",
        "CHORUS_TEST_OPENAI_BASE_URL": _fake_server.openai_base_url,
        "CHORUS_TEST_ANSWER_QUEUE": answer_queue,  # the answers it hands on (next waiting one) go there too
    }
    queue = answer_queue
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", "-P", "prefork", "-c", "1",
         "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_it_finishes_the_answer_on_another_pool_process_and_charges_once(
    committed_tenant, worker, _fake_server, django_db_blocker
):
    tenant, owner = committed_tenant
    _fake_server.reset()
    text = "one two three four five six seven eight"
    _fake_server.behave(text=text, pause_after=2, hang_seconds=DEADLINE)
    with django_db_blocker.unblock():
        conversation = conversation_start(user=owner, content="Survive this?")  # committed: the worker runs it
        answer = Message.objects.get(conversation=conversation, role="assistant")
        key = keys.stream_key(answer.pk)
        last = _stream_until(key, {"delta"})  # the fake provider now holds the answer mid-stream
        assert writer.writer_alive(answer.pk)
        children = psutil.Process(worker.pid).children()
        assert len(children) == 1
        children[0].send_signal(signal.SIGKILL)
        killed = time.monotonic()
        children[0].wait(timeout=DEADLINE)
        _fake_server.resume()  # the next generation streams through
        assert Message.objects.get(pk=answer.pk).status == "streaming"  # left behind by the dead writer

        _wait(lambda: generation_sweep() == 1, "the sweep to see the dead writer")
        noticed = time.monotonic() - killed
        _stream_until(key, {keys.END}, after=_stream_until(key, {keys.RESTART}, after=last))
        final = Message.objects.get(pk=answer.pk)  # END is sent once the finalising transaction committed
        _report(noticed=noticed, finished=time.monotonic() - killed)
        assert final.status == "complete", final.error_message
        assert final.content == text and final.generation_attempts == 2
        events = [t for _, t, _ in keys.read_all(key)]
        assert keys.RESTART in events and events[-1] == keys.END
        charged = UsageLog.objects.filter(idempotency_key=f"answer:{tenant.schema_name}:{answer.pk}")
        assert charged.count() == 1
        assert generation_sweep() == 0 and charged.count() == 1
    # the time to notice (target < 30 s) is a figure printed by bench/faults.py, not asserted
