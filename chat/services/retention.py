"""Retention (seed 001): archive inactive conversations, purge soft-deleted ones after a grace period."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from documents.services import documents_delete_for_conversations

from ..fragments import sidebar_changed
from ..models import Conversation


@transaction.atomic
def conversations_archive_inactive(*, days: int) -> int:
    cutoff = timezone.now() - timedelta(days=days)
    archived = Conversation.objects.filter(
        archived_at__isnull=True, deleted_at__isnull=True, last_message_at__lt=cutoff
    ).update(archived_at=timezone.now(), updated_at=timezone.now())
    if archived:
        sidebar_changed()  # many users' lists at once
    return archived


def conversations_purge_deleted(*, days: int, batch: int = 200) -> int:
    """Delete conversations soft-deleted more than ``days`` ago, with their messages, in batches."""
    cutoff = timezone.now() - timedelta(days=days)
    total = 0
    while True:
        ids = list(Conversation.objects.filter(deleted_at__lt=cutoff).values_list("pk", flat=True)[:batch])
        if not ids:
            return total
        with transaction.atomic():
            Conversation.objects.filter(pk__in=ids).update(current_leaf=None)
            Conversation.objects.filter(pk__in=ids).delete()
            documents_delete_for_conversations(conversation_ids=ids)  # their uploads and files (issue 9)
        total += len(ids)
