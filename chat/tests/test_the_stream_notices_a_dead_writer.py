"""A page's open stream that goes quiet checks its writer's heartbeat: a dead writer's answer is
recovered (redelivered once) by the SSE view, without waiting for the sweep; a live one is left."""

from datetime import timedelta

from django.utils import timezone

from chat.models import Message
from chat.services import conversation_start
from chat.streaming import keys, sse, writer
from chat.tests.helpers import read_sse


def _dead_writer(tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Still there?")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        Message.objects.filter(pk=answer.pk).update(
            status="streaming", generation_attempts=1, updated_at=timezone.now() - timedelta(minutes=1)
        )
        writer.publish(keys.stream_key(answer.pk), "delta", {"text": "Half"})
    return answer


def _recorded(monkeypatch, calls):
    real = sse._recover

    def recover(schema, message_id):  # the real recovery, then the stream ends (its new writer would go on)
        result = real(schema, message_id)
        calls.append(result)
        writer.publish(keys.stream_key(message_id, schema), keys.END, {"status": "complete"})
        return result

    monkeypatch.setattr(sse, "_recover", recover)


def test_it_redelivers_the_answer_of_a_dead_writer(
    monkeypatch, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(sse, "KEEPALIVE_SECONDS", 0.05)
    answer = _dead_writer(tenant_a, owner, in_tenant)
    calls: list[str] = []
    _recorded(monkeypatch, calls)
    with django_capture_on_commit_callbacks() as callbacks:
        response, frames = read_sse(tenant_a, owner, answer.pk)
    assert response.status_code == 200 and calls == ["redelivered"]
    assert [t for _, t, _ in frames] == ["delta", keys.END]
    with in_tenant(tenant_a):
        answer.refresh_from_db()
        assert answer.status == "pending" and answer.content == "" and answer.generation_attempts == 1
    assert len(callbacks) == 1  # the new generation, sent on commit


def test_it_leaves_an_answer_whose_writer_beats(monkeypatch, tenant_a, owner, in_tenant):
    monkeypatch.setattr(sse, "KEEPALIVE_SECONDS", 0.05)
    answer = _dead_writer(tenant_a, owner, in_tenant)
    calls: list[str] = []
    _recorded(monkeypatch, calls)
    looked: list[str] = []
    real_key = sse.heartbeat_key

    def heartbeat_key(message_id, schema=None):  # the view looks at the heartbeat; after two looks, end
        looked.append(str(message_id))
        if len(looked) == 2:
            writer.publish(keys.stream_key(message_id, schema), keys.END, {"status": "complete"})
        return real_key(message_id, schema)

    monkeypatch.setattr(sse, "heartbeat_key", heartbeat_key)
    with in_tenant(tenant_a), writer.Heartbeat(answer.pk):
        response, frames = read_sse(tenant_a, owner, answer.pk)
    assert len(looked) >= 2 and calls == []  # alive: no recovery
    assert [t for _, t, _ in frames] == ["delta", keys.END]
    with in_tenant(tenant_a):
        answer.refresh_from_db()
        assert answer.status == "streaming" and answer.generation_attempts == 1
