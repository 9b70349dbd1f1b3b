"""Through the real broker and a real worker (two threads): while workspace A's burst waits for its
one generation slot, holding no worker, workspace B's answer starts at once; A's answers then run
one after another, each started by the one before it."""

import queue
import threading
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from chat import scheduling, tasks
from config.celery_app import app

TIMEOUT = 20  # seconds a step may take before the test fails; never waited for when things work


@pytest.fixture
def answers(db, monkeypatch, settings):  # db: the worker stops before the test database closes
    """A generation stand-in that records when each answer starts and runs until the test lets it end."""
    settings.GENERATIONS_PER_TENANT = 1
    monkeypatch.setattr(scheduling, "NAMESPACE", f"test-{uuid.uuid4().hex}")
    answer_queue = f"test-answers-{uuid.uuid4().hex}"
    settings.CHAT_ANSWER_QUEUE = answer_queue  # chat sends answers there (read at each send)
    started: queue.Queue = queue.Queue()
    gates: dict[str, threading.Event] = {}
    lock = threading.Lock()
    running: dict[str, int] = {}
    peak: dict[str, int] = {}

    def generation_run(*, message_id, moderate=False):
        from django.db import connection

        schema = connection.schema_name
        with lock:
            running[schema] = running.get(schema, 0) + 1
            peak[schema] = max(peak.get(schema, 0), running[schema])
        started.put(message_id)
        try:
            gates.setdefault(message_id, threading.Event()).wait(TIMEOUT)
        finally:
            with lock:
                running[schema] -= 1
        return "complete"

    monkeypatch.setattr(tasks, "generation_run", generation_run)

    class Answers:
        def send(self, schema: str, message_id: str) -> None:
            gates.setdefault(message_id, threading.Event())
            tasks.generate_answer.apply_async(args=[message_id], headers={"_schema_name": schema}, queue=answer_queue)

        def next_started(self) -> str:
            return started.get(timeout=TIMEOUT)

        def finish(self, message_id: str) -> None:
            gates[message_id].set()

    app.conf.update(task_always_eager=False)
    queues = app.amqp.queues
    consumed_before = queues._consume_from  # start_worker(queues=...) narrows it for every later worker
    try:
        with start_worker(
            app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=60, queues=[answer_queue]
        ):
            yield Answers(), peak
            for gate in gates.values():
                gate.set()
    finally:
        queues._consume_from = consumed_before


def test_it_starts_workspace_bs_answer_during_workspace_as_burst(answers, tenant_a, tenant_b):
    answers, peak = answers
    a, b = tenant_a.schema_name, tenant_b.schema_name
    burst = {f"a-{i}" for i in range(4)}
    for message_id in sorted(burst):
        answers.send(a, message_id)
    running = answers.next_started()  # whichever of A's the worker took first
    assert running in burst
    answers.send(b, "b-0")
    # A's other answers wait without a worker; the second worker thread is free for B.
    assert answers.next_started() == "b-0"
    answers.finish("b-0")
    done = set()
    while True:
        answers.finish(running)  # its slot goes to one of A's waiting answers
        done.add(running)
        if done == burst:
            break
        running = answers.next_started()
        assert running in burst - done
    assert peak[a] == 1 and peak[b] == 1
