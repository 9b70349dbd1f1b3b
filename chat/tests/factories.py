"""Build conversations quickly in tests (inside a tenant's schema)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from chat.fragments import SIDEBAR
from chat.models import Conversation, Message
from chat.rendering import markdown_to_html


def make_conversation(user, *, title="A chat", turns=1, starred=False, archived=False, last_message_at=None, **extra):
    """A conversation with ``turns`` complete question/answer pairs on one branch."""
    conversation = Conversation.objects.create(
        user=user,
        title=title,
        is_starred=starred,
        archived_at=timezone.now() if archived else None,
        last_message_at=last_message_at or timezone.now(),
        **extra,
    )
    parent = None
    start = timezone.now() - timedelta(minutes=turns * 2)
    for i in range(turns):
        q = Message.objects.create(
            conversation=conversation,
            parent=parent,
            user=user,
            role="user",
            content=f"Question {i}",
            html=markdown_to_html(f"Question {i}"),
            created_at=start + timedelta(minutes=2 * i),
        )
        parent = Message.objects.create(
            conversation=conversation,
            parent=q,
            role="assistant",
            content=f"Answer {i}",
            html=markdown_to_html(f"Answer {i}"),
            status="complete",
            created_at=start + timedelta(minutes=2 * i + 1),
            model_name="offline",
        )
    conversation.current_leaf = parent
    conversation.message_count = turns * 2
    conversation.last_message_preview = f"Answer {turns - 1}" if turns else ""
    conversation.save()
    SIDEBAR.replace_now(user.pk)  # as the services do on commit (chat.fragments.sidebar_changed)
    return conversation
