"""A worker dies mid-answer and its redelivery too: the sweep marks the answer as error, the user
retries, nothing is charged twice. (One redelivery first: test_a_dead_writers_answer_is_redelivered_once.py.)"""

from datetime import timedelta

from django.utils import timezone

from chat.models import Conversation, Message
from chat.services import conversation_start, generation, generation_sweep, message_regenerate
from chat.streaming import keys
from chat.tasks import generate_answer, sweep_stuck_answers


def _orphan(tenant_a, owner, in_tenant):
    """An answer a worker claimed (streaming, partial text saved) and then died on."""
    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Will the worker survive?")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        Message.objects.filter(pk=answer.pk).update(  # its redelivery died too (chat.services.generation)
            status="streaming",
            content="Half an ans",
            updated_at=timezone.now() - timedelta(minutes=30),
            generation_attempts=generation.MAX_ATTEMPTS,
        )
    return conversation, answer


def test_it_marks_stuck_answers_as_errors_with_a_retry(
    owner_client, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks
):
    conversation, answer = _orphan(tenant_a, owner, in_tenant)
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        other = conversation_start(user=owner, content="A healthy one")  # one open answer per conversation
        fresh = Message.objects.filter(conversation=other, role="assistant").get()
        Message.objects.filter(pk=fresh.pk).update(status="streaming")
        assert generation_sweep() == 1
    with in_tenant(tenant_a):
        answer.refresh_from_db()
        fresh.refresh_from_db()
        assert answer.status == "error" and answer.content == "Half an ans"
        assert "interrupted" in answer.error_message
        assert fresh.status == "streaming"
        assert keys.read_all(keys.stream_key(answer.pk))[-1][2]["status"] == "error"
        # A redelivered task (acks_late) finds the answer final and does nothing.
        assert generate_answer(str(answer.pk)) == "error"
    body = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'data-status="error"' in body and f"/chat/m/{answer.pk}/regenerate/" in body


def test_it_retries_as_a_new_answer(owner_client, tenant_a, owner, in_tenant):
    conversation, answer = _orphan(tenant_a, owner, in_tenant)
    with in_tenant(tenant_a):
        generation_sweep()
    response = owner_client.post(f"/chat/m/{answer.pk}/regenerate/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    with in_tenant(tenant_a):
        conversation.refresh_from_db()
        retry = conversation.current_leaf
        assert retry.pk != answer.pk and retry.status == "pending" and retry.parent_id == answer.parent_id
    assert 'data-status="pending"' in response.content.decode()


def test_it_sweeps_every_tenant_from_beat(celery_eager, tenant_a, owner, in_tenant, django_capture_on_commit_callbacks):
    _conversation, answer = _orphan(tenant_a, owner, in_tenant)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stuck_answers() >= 2  # one task per ready tenant
    with in_tenant(tenant_a):
        answer.refresh_from_db()
        assert answer.status == "error"


def test_it_cannot_retry_an_answer_still_being_written(tenant_a, owner, in_tenant):
    import pytest
    from django.core.exceptions import ValidationError

    with in_tenant(tenant_a):
        conversation = conversation_start(user=owner, content="Busy")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        with pytest.raises(ValidationError):
            message_regenerate(message=answer)
        assert Conversation.objects.get(pk=conversation.pk).message_count == 2
