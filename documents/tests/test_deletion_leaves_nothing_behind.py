"""Deleting a document removes its chunks and its file; purging a conversation removes the
documents uploaded in it; no file is left on disk (the test walks the folder)."""

import uuid
from datetime import timedelta

from django.utils import timezone

from chat.models import Conversation
from chat.services import conversation_create, conversations_purge_deleted
from documents.models import Document, DocumentChunk
from documents.tests.helpers import PLANTED_EN, pdf_bytes


def _files(media):
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def test_deleting_a_document_removes_its_chunks_and_file(
    tenant_a, owner, upload, owner_client, media, in_tenant, django_capture_on_commit_callbacks
):
    doc = upload(tenant_a, owner, "a.pdf", pdf_bytes([PLANTED_EN]))
    assert _files(media) == [doc.file.name]
    assert doc.file.name.startswith(f"{tenant_a.schema_name}/documents/") and not doc.file.name.endswith("/a.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/documents/{doc.pk}/delete/")
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert not Document.objects.filter(pk=doc.pk).exists()
        assert not DocumentChunk.objects.filter(document_id=doc.pk).exists()
    assert _files(media) == []


def test_purging_a_conversation_removes_its_uploads(
    tenant_a, owner, upload, media, in_tenant, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        conversation = conversation_create(user=owner)
    in_chat = upload(tenant_a, owner, "chat.txt", b"uploaded in the chat", conversation_id=conversation.pk,
                     scope="conversation")  # fmt: skip
    library = upload(tenant_a, owner, "lib.txt", PLANTED_EN.encode())
    with in_tenant(tenant_a):
        Conversation.objects.filter(pk=conversation.pk).update(deleted_at=timezone.now() - timedelta(days=40))
        with django_capture_on_commit_callbacks(execute=True):
            assert conversations_purge_deleted(days=30) == 1
        assert list(Document.objects.values_list("pk", flat=True)) == [library.pk]
    assert _files(media) == [library.file.name]
    assert in_chat.file.name not in _files(media)
    assert uuid.UUID(str(conversation.pk))
