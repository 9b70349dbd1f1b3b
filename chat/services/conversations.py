"""Conversation writes: create, rename, star, archive, soft delete and restore."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..fragments import sidebar_changed
from ..models import Conversation


@transaction.atomic
def conversation_create(
    *, user, title: str = "", strategy: str | None = None, model: str | None = None
) -> Conversation:
    conversation = Conversation(
        user=user,
        title=title.strip()[:500],
        title_is_custom=bool(title.strip()),
        settings={"strategy": strategy or None, "model": model or None},
    )
    conversation.full_clean()
    conversation.save()
    sidebar_changed(user_id=conversation.user_id)
    return conversation


@transaction.atomic
def conversation_rename(*, conversation: Conversation, title: str) -> Conversation:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Please enter a title.")})
    conversation.title = title[:500]
    conversation.title_is_custom = True
    conversation.full_clean(exclude=["current_leaf", "user"])
    conversation.save(update_fields=["title", "title_is_custom", "updated_at"])
    sidebar_changed(user_id=conversation.user_id)
    return conversation


@transaction.atomic
def conversation_star(*, conversation: Conversation, starred: bool) -> Conversation:
    conversation.is_starred = starred
    conversation.save(update_fields=["is_starred", "updated_at"])
    sidebar_changed(user_id=conversation.user_id)
    return conversation


@transaction.atomic
def conversation_archive(*, conversation: Conversation, archived: bool) -> Conversation:
    conversation.archived_at = (conversation.archived_at or timezone.now()) if archived else None
    conversation.save(update_fields=["archived_at", "updated_at"])
    sidebar_changed(user_id=conversation.user_id)
    return conversation


@transaction.atomic
def conversation_delete(*, conversation: Conversation) -> Conversation:
    """Soft delete: hidden at once, restorable until the retention job purges it."""
    if conversation.deleted_at is None:
        conversation.deleted_at = timezone.now()
        conversation.save(update_fields=["deleted_at", "updated_at"])
        sidebar_changed(user_id=conversation.user_id)
    return conversation


@transaction.atomic
def conversation_restore(*, conversation: Conversation) -> Conversation:
    if conversation.deleted_at is not None:
        conversation.deleted_at = None
        conversation.save(update_fields=["deleted_at", "updated_at"])
        sidebar_changed(user_id=conversation.user_id)
    return conversation
