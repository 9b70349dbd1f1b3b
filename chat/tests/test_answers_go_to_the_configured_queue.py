"""Answers are sent to the queue CHAT_ANSWER_QUEUE names at the time of sending (not a queue fixed at
import time or cached in Celery's routes): a new question's answer, and an answer redelivered after
its writer died. A test with a worker of its own relies on it (test_a_killed_worker_s_answer_...)."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import Message
from chat.services import conversation_start, generation_recover


@pytest.fixture
def sent(monkeypatch):
    """The queue of every generate_answer sent (the task is imported by chat.services' enqueue)."""
    from celery import current_app

    import chat.tasks  # noqa: F401 - registers the task

    queues = []
    task = current_app.tasks["chat.tasks.generate_answer"]
    monkeypatch.setattr(task, "apply_async", lambda *a, **options: queues.append(options.get("queue")))
    return queues


def test_it_sends_a_new_answer_and_a_redelivered_one_to_the_configured_queue(
    owner, in_tenant, tenant_a, settings, sent, django_capture_on_commit_callbacks
):
    queue = settings.CHAT_ANSWER_QUEUE = f"answers-{uuid.uuid4().hex}"
    with in_tenant(tenant_a):
        with django_capture_on_commit_callbacks(execute=True):
            conversation = conversation_start(user=owner, content="Which queue?")
        assert sent == [queue]
        answer = Message.objects.get(conversation=conversation, role="assistant")
        # its writer claimed it and died (no heartbeat) long enough ago
        Message.objects.filter(pk=answer.pk).update(
            status=Message.Status.STREAMING, generation_attempts=1, updated_at=timezone.now() - timedelta(minutes=1)
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert generation_recover(message_id=answer.pk) == "redelivered"
        assert sent == [queue, queue]
