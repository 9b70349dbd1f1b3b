"""Each workspace generates at most GENERATIONS_PER_TENANT answers at once; the rest wait in the
workspace's own list (holding no worker) and a finishing answer hands its slot to the next one.

Found by trying it: 30 questions from one workspace pushed another workspace's answer from 0.6 s to
45 s, all sharing one answer queue (bench/fairness.py measures it, docs/PERFORMANCE.md).
"""

import time
import uuid

import pytest

from chat import scheduling
from chat.models import Message
from chat.services import conversation_start, message_stop
from chat.streaming import keys
from chat.tasks import dispatch_waiting_answers, generate_answer


@pytest.fixture(autouse=True)
def _own_slots(monkeypatch, settings, unlimited_sessions):  # more open answers than the free plan's 2 sessions
    monkeypatch.setattr(scheduling, "NAMESPACE", f"test-{uuid.uuid4().hex}")
    settings.GENERATIONS_PER_TENANT = 1


@pytest.fixture
def sent(monkeypatch):
    """Message ids whose generation task was sent to the broker (after commit)."""
    ids: list[str] = []
    monkeypatch.setattr(generate_answer, "apply_async", lambda args=None, **_kw: ids.append(args[0]))
    return ids


def _pending(tenant, user, in_tenant, n: int) -> list[Message]:
    answers = []
    with in_tenant(tenant):
        for i in range(n):
            conversation = conversation_start(user=user, content=f"Question {i}")
            answers.append(Message.objects.get(conversation=conversation, role="assistant"))
    return answers


def test_it_parks_an_answer_over_the_cap_and_hands_it_the_slot_when_the_first_finishes(
    tenant_a, owner, in_tenant, django_capture_on_commit_callbacks, sent
):
    first, second = _pending(tenant_a, owner, in_tenant, 2)
    schema = tenant_a.schema_name
    assert scheduling.slot_claim(schema, first.pk)  # a generation of the workspace is running
    with in_tenant(tenant_a):
        assert generate_answer(str(second.pk), moderate=True) == "waiting"
        second.refresh_from_db()
        assert second.status == "pending"  # not claimed: nothing streamed, nothing charged
    assert [w.message_id for w in scheduling.waiting(schema)] == [str(second.pk)]
    handed = scheduling.slot_release(schema, first.pk)
    assert handed == [scheduling.Waiting(message_id=str(second.pk), moderate=True)]
    assert scheduling.running(schema) == [str(second.pk)]  # the slot is the waiting answer's now
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        assert generate_answer(str(second.pk), moderate=True) == "complete"  # its slot was kept for it
    assert sent == []  # nothing else waited
    assert scheduling.running(schema) == [] and scheduling.waiting(schema) == []


def test_a_finishing_answer_starts_the_next_waiting_one(
    tenant_a, owner, in_tenant, django_capture_on_commit_callbacks, sent
):
    first, second, third = _pending(tenant_a, owner, in_tenant, 3)
    schema = tenant_a.schema_name
    with in_tenant(tenant_a):
        assert scheduling.slot_claim(schema, "someone-else")
        assert generate_answer(str(second.pk)) == "waiting"
        assert generate_answer(str(third.pk)) == "waiting"
        scheduling.slot_release(schema, "someone-else")  # second takes the slot; its task is sent
        with django_capture_on_commit_callbacks(execute=True):
            assert generate_answer(str(second.pk)) == "complete"
    assert sent == [str(third.pk)]  # the task of the third, which now holds the slot
    assert scheduling.running(schema) == [str(third.pk)]


def test_each_workspace_has_its_own_slots(tenant_a, tenant_b, owner, outsider, in_tenant):
    (answer_a,) = _pending(tenant_a, owner, in_tenant, 1)
    (answer_b,) = _pending(tenant_b, outsider, in_tenant, 1)
    assert scheduling.slot_claim(tenant_a.schema_name, "a-running")
    with in_tenant(tenant_b):
        assert generate_answer(str(answer_b.pk)) == "complete"  # A at its cap does not hold B back
    with in_tenant(tenant_a):
        assert generate_answer(str(answer_a.pk)) == "waiting"


def test_a_slot_of_a_dead_worker_expires_and_the_sweep_starts_the_waiting_answer(
    tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
):
    (answer,) = _pending(tenant_a, owner, in_tenant, 1)
    schema = tenant_a.schema_name
    # A worker took a slot long ago and died without giving it back.
    assert scheduling.slot_claim(schema, "dead-worker", now=time.time() - scheduling.SLOT_TTL - 1)
    assert scheduling.slot_claim(schema, "alive", now=time.time())  # cap 1: only because the other expired
    with in_tenant(tenant_a):
        assert generate_answer(str(answer.pk)) == "waiting"
    later = time.time() + scheduling.SLOT_TTL + 1  # the live one's slot has expired too by then
    assert scheduling.dispatch_waiting(now=later) == {schema: [scheduling.Waiting(str(answer.pk), False)]}
    assert scheduling.waiting(schema) == []


def test_the_beat_task_sends_the_task_of_an_answer_a_dead_worker_kept_waiting(
    tenant_a, owner, in_tenant, django_capture_on_commit_callbacks, sent
):
    (answer,) = _pending(tenant_a, owner, in_tenant, 1)
    schema = tenant_a.schema_name
    then = time.time() - scheduling.SLOT_TTL - 1
    assert scheduling.slot_claim(schema, "dead-worker", now=then)  # it died holding the slot ...
    assert not scheduling.slot_claim(schema, answer.pk, now=then)  # ... while this answer waited
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_waiting_answers() == 1
    assert sent == [str(answer.pk)] and scheduling.running(schema) == [str(answer.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_waiting_answers() == 0  # nothing waits any more
    assert sent == [str(answer.pk)]


def test_a_stopped_waiting_answer_gives_its_slot_on_at_once(
    tenant_a, owner, in_tenant, django_capture_on_commit_callbacks, sent
):
    first, second = _pending(tenant_a, owner, in_tenant, 2)
    schema = tenant_a.schema_name
    with in_tenant(tenant_a):
        assert scheduling.slot_claim(schema, "running")
        assert generate_answer(str(first.pk)) == "waiting"
        assert generate_answer(str(second.pk)) == "waiting"
        with django_capture_on_commit_callbacks(execute=True):
            message_stop(message=first)  # stopped while waiting: final at once, as before
        first.refresh_from_db()
        assert first.status == "stopped"
        scheduling.slot_release(schema, "running")  # the slot goes to the stopped one first ...
        with django_capture_on_commit_callbacks(execute=True):
            assert generate_answer(str(first.pk)) == "stopped"  # ... which claims nothing and hands it on
    assert sent == [str(second.pk)] and scheduling.running(schema) == [str(second.pk)]
    assert keys.read_all(keys.stream_key(first.pk, schema))[-1][2]["status"] == "stopped"


def test_a_redelivered_task_keeps_its_own_slot_and_does_nothing_twice(
    tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
):
    (answer,) = _pending(tenant_a, owner, in_tenant, 1)
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        assert generate_answer(str(answer.pk)) == "complete"
        assert generate_answer(str(answer.pk)) == "complete"  # acks_late: the task may run again
    assert scheduling.running(tenant_a.schema_name) == []
