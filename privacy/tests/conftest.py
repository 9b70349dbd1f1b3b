"""Someone's whole history, quickly: a conversation with messages and an attachment, a document
with its file, usage in the ledger and the daily totals."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from billing.models import UsageDaily, UsageLog
from chat.models import Attachment, Conversation, Message
from documents.models import Document


@pytest.fixture(autouse=True)
def _private_folders(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVACY_EXPORT_ROOT = tmp_path / "exports"


def make_history(user, tenant, *, marker: str, messages: int = 4, documents: int = 1) -> dict:
    """Rows and files of ``user`` whose texts all carry ``marker`` (to find them in an export)."""
    conversation = Conversation.objects.create(user=user, title=f"Chat of {marker}")
    rows = [
        Message(
            conversation=conversation,
            user=user if i % 2 == 0 else None,
            role="user" if i % 2 == 0 else "assistant",
            content=f"{marker} message {i}",
        )
        for i in range(messages)
    ]
    Message.objects.bulk_create(rows, batch_size=2000)
    attachment = Attachment(message=rows[0], original_name=f"{marker}.txt", mime_type="text/plain", size=10)
    attachment.file.save(f"{marker}.txt", ContentFile(f"attachment of {marker}".encode()), save=False)
    attachment.save()
    docs = []
    for i in range(documents):
        data = f"document {i} of {marker}".encode()
        doc = Document(
            owner=user,
            original_filename=f"{marker}-{i}.txt",
            file_size=len(data),
            mime_type="text/plain",
            content_hash=hashlib.sha256(data).hexdigest(),
            content=f"text of {marker} {i}",
            status=Document.Status.READY,
        )
        doc.file.save(f"{marker}-{i}.txt", ContentFile(data), save=False)
        docs.append(doc)
    Document.objects.bulk_create(docs, batch_size=500)
    UsageLog.objects.create(
        tenant=tenant, user_id=user.pk, user_email=user.email, action_type="question", tokens_used=42,
        created_at=timezone.now(), idempotency_key=f"test-{uuid.uuid4()}",
    )  # fmt: skip
    UsageDaily.objects.create(
        tenant=tenant, date=timezone.now().date(), user_id=user.pk, user_email=user.email, questions=1
    )
    return {"conversation": conversation, "attachment": attachment, "documents": docs}
