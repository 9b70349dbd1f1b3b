"""Files sent in a conversation (issue 9): documents go through the documents pipeline
(chat -> documents); the question they were sent with gets a chat.Attachment for each."""

from __future__ import annotations

from django.db import transaction

from ..models import Attachment, Message


@transaction.atomic
def attachments_from_documents(*, message: Message, document_ids) -> list[Attachment]:
    """An Attachment on ``message`` for each of the user's documents in ``document_ids`` that is
    linked to the message's conversation (others are ignored: not theirs, or removed)."""
    from documents.selectors import documents_linked_for_user

    docs = documents_linked_for_user(
        user_id=message.conversation.user_id, conversation_id=message.conversation_id, ids=document_ids
    )
    order = {str(i): n for n, i in enumerate(document_ids)}
    docs = sorted(docs, key=lambda d: order.get(str(d.pk), len(order)))  # as the user chose them
    have = set(Attachment.objects.filter(message=message).values_list("original_name", flat=True))
    made = [
        Attachment(
            message=message,
            document=d,
            file=d.file.name,
            original_name=d.original_filename,
            mime_type=d.mime_type,
            size=d.file_size,
            # an image's dimensions, a sound's length (seed 001: media metadata), read at upload
            width=(d.processing_metadata.get("media") or {}).get("width"),
            height=(d.processing_metadata.get("media") or {}).get("height"),
            duration_seconds=(d.processing_metadata.get("media") or {}).get("duration"),
        )  # fmt: skip
        for d in docs
        if d.original_filename not in have
    ]
    return Attachment.objects.bulk_create(made)
