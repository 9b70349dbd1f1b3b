"""Beat jobs run one task per ready tenant: a tenant whose schema was dropped fails alone, and says so."""

import logging
from datetime import timedelta

from django.utils import timezone

from chat.models import Conversation, Message
from chat.services import conversation_start
from chat.services.generation import MAX_ATTEMPTS
from chat.tasks import apply_retention, sweep_stuck_answers
from chat.tests.factories import make_conversation


def _orphan(tenant, user, in_tenant):
    with in_tenant(tenant):
        conversation = conversation_start(user=user, content="Will the worker survive?")
        answer = Message.objects.get(conversation=conversation, role="assistant")
        Message.objects.filter(pk=answer.pk).update(  # its one redelivery died too: the sweep ends it
            status="streaming", updated_at=timezone.now() - timedelta(hours=1), generation_attempts=MAX_ATTEMPTS
        )
    return answer


def test_it_sweeps_every_other_tenant_and_reports_the_dropped_one(
    celery_eager, dropped_tenant, tenant_a, tenant_b, owner, outsider, in_tenant, caplog,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    in_a, in_b = _orphan(tenant_a, owner, in_tenant), _orphan(tenant_b, outsider, in_tenant)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        assert sweep_stuck_answers() >= 3  # one task each, the dropped tenant's first
    with in_tenant(tenant_a):
        assert Message.objects.get(pk=in_a.pk).status == "error"
    with in_tenant(tenant_b):
        assert Message.objects.get(pk=in_b.pk).status == "error"
    assert "sweep_stuck_answers failed in schema t_0_dropped" in caplog.text


def test_it_applies_retention_to_every_other_tenant_and_reports_the_dropped_one(
    celery_eager, dropped_tenant, tenant_a, tenant_b, owner, outsider, in_tenant, caplog,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    old = timezone.now() - timedelta(days=400)
    with in_tenant(tenant_a):
        a = make_conversation(owner, last_message_at=old)
    with in_tenant(tenant_b):
        b = make_conversation(outsider, last_message_at=old)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        assert apply_retention() >= 3
    with in_tenant(tenant_a):
        assert Conversation.objects.get(pk=a.pk).archived_at is not None
    with in_tenant(tenant_b):
        assert Conversation.objects.get(pk=b.pk).archived_at is not None
    assert "apply_retention failed in schema t_0_dropped" in caplog.text
