"""An answer whose writer died (no heartbeat) is generated again once and finished, charged once;
a second death ends it as an error that keeps the partial text; a live writer is left alone."""

from datetime import timedelta

from django.utils import timezone

from billing.models import UsageLog
from chat.models import Message
from chat.services import conversation_start, generation, generation_recover, generation_sweep
from chat.streaming import keys, writer


def _dead_writer(tenant_a, owner, in_tenant, *, attempts: int, text="Half an ans"):
    """An answer a generation claimed, streamed some words of, and died on (its heartbeat expired)."""
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Will the worker survive?")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        Message.objects.filter(pk=answer.pk).update(
            status="streaming",
            content="Half",  # the database's copy lags the stream's
            generation_attempts=attempts,
            updated_at=timezone.now() - generation.HEARTBEAT_GRACE - timedelta(seconds=1),
        )
        key = keys.stream_key(answer.pk)
        writer.publish(key, "status", {"status": "streaming"})
        writer.publish(key, "delta", {"text": text})
    return answer


def test_it_generates_the_answer_again_and_charges_it_once(
    celery_eager, fake_llm, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
):
    fake_llm.platform("openai")
    fake_llm.behave(text="A whole answer this time.")
    answer = _dead_writer(tenant_a, owner, in_tenant, attempts=1)
    with in_tenant(tenant_a):
        with django_capture_on_commit_callbacks(execute=True):
            assert generation_sweep() == 1  # redelivered, and run by the (eager) worker
        answer.refresh_from_db()
        assert answer.status == "complete" and answer.content == "A whole answer this time."
        assert answer.generation_attempts == 2
        events = [t for _, t, _ in keys.read_all(keys.stream_key(answer.pk))]
        restart = events.index(keys.RESTART)
        assert events.index("delta") < restart < events.index("delta", restart) and events[-1] == keys.END
        assert generation.partial_text(answer.pk) == "A whole answer this time."  # the old words are gone
        assert not writer.writer_alive(answer.pk)  # the heartbeat ends with its generation
        key = f"answer:{tenant_a.schema_name}:{answer.pk}"
        assert UsageLog.objects.filter(idempotency_key=key).count() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert generation_sweep() == 0  # nothing left to recover
        assert UsageLog.objects.filter(idempotency_key=key).count() == 1


def test_it_ends_a_second_death_as_an_error_with_the_partial_text(
    tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
):
    answer = _dead_writer(tenant_a, owner, in_tenant, attempts=generation.MAX_ATTEMPTS)
    with in_tenant(tenant_a):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert generation_recover(message_id=answer.pk) == "error"
        answer.refresh_from_db()
        assert answer.status == "error" and answer.content == "Half an ans"  # the stream's text, not the DB's
        assert "interrupted" in answer.error_message
        assert keys.read_all(keys.stream_key(answer.pk))[-1][1] == keys.END
        assert not any("generate_answer" in repr(c) for c in callbacks)


def test_it_leaves_an_answer_whose_writer_beats(tenant_a, owner, in_tenant, django_capture_on_commit_callbacks):
    answer = _dead_writer(tenant_a, owner, in_tenant, attempts=1)
    with in_tenant(tenant_a), writer.Heartbeat(answer.pk):
        with django_capture_on_commit_callbacks(execute=True):
            assert generation_recover(message_id=answer.pk) == "alive"
            assert generation_sweep() == 0
        answer.refresh_from_db()
        assert answer.status == "streaming" and answer.generation_attempts == 1


def test_it_does_not_judge_a_fresh_claim(tenant_a, owner, in_tenant):
    answer = _dead_writer(tenant_a, owner, in_tenant, attempts=1)
    with in_tenant(tenant_a):
        Message.objects.filter(pk=answer.pk).update(updated_at=timezone.now())  # claimed just now
        assert generation_recover(message_id=answer.pk) == "unchanged"
        answer.refresh_from_db()
        assert answer.status == "streaming"


def test_it_lets_a_superseded_generation_not_finalise(tenant_a, owner, in_tenant):
    answer = _dead_writer(tenant_a, owner, in_tenant, attempts=2)
    with in_tenant(tenant_a):
        assert not generation.message_finalize(message_id=answer.pk, status="complete", content="late", attempt=1)
        answer.refresh_from_db()
        assert answer.status == "streaming"
