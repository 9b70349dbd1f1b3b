"""Retention beat jobs: archive inactive conversations, purge long-deleted ones, per tenant settings."""

from datetime import timedelta

from django.utils import timezone

from chat.models import Conversation, Message
from chat.services import conversations_archive_inactive, conversations_purge_deleted
from chat.tasks import apply_retention
from chat.tests.factories import make_conversation


def test_it_archives_conversations_inactive_for_n_days(tenant_a, owner, in_tenant):
    now = timezone.now()
    with in_tenant(tenant_a):
        stale = make_conversation(owner, last_message_at=now - timedelta(days=31))
        fresh = make_conversation(owner, last_message_at=now - timedelta(days=29))
        assert conversations_archive_inactive(days=30) == 1
        stale.refresh_from_db()
        fresh.refresh_from_db()
    assert stale.archived_at is not None and fresh.archived_at is None


def test_it_purges_only_long_deleted_conversations(tenant_a, owner, in_tenant):
    now = timezone.now()
    with in_tenant(tenant_a):
        old = make_conversation(owner, turns=3, deleted_at=now - timedelta(days=40))
        recent = make_conversation(owner, deleted_at=now - timedelta(days=3))
        assert conversations_purge_deleted(days=30) == 1
        assert not Conversation.objects.filter(pk=old.pk).exists()
        assert not Message.objects.filter(conversation_id=old.pk).exists()
        assert Conversation.objects.filter(pk=recent.pk).exists()


def test_it_runs_for_every_tenant_with_its_own_settings(
    celery_eager, tenant_a, tenant_b, owner, outsider, in_tenant, django_capture_on_commit_callbacks
):
    tenant_a.settings = {**tenant_a.settings, "archive_after_days": 5}
    tenant_a.save()
    now = timezone.now()
    with in_tenant(tenant_a):
        a = make_conversation(owner, last_message_at=now - timedelta(days=10))
    with in_tenant(tenant_b):
        b = make_conversation(outsider, last_message_at=now - timedelta(days=10))  # B keeps the default 30
        gone = make_conversation(outsider, deleted_at=now - timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        assert apply_retention() >= 2  # one task per ready tenant
    with in_tenant(tenant_a):
        assert Conversation.objects.get(pk=a.pk).archived_at is not None
    with in_tenant(tenant_b):
        assert Conversation.objects.get(pk=b.pk).archived_at is None
        assert not Conversation.objects.filter(pk=gone.pk).exists()
