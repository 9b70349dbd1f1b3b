"""A question's cached HTML shows its files' current status: a document still processing when the
page was first rendered shows as ready once it is, and as removed once it is deleted (the fragment
key holds each attachment's document status, read in the thread's own statement)."""

from chat.models import Attachment
from chat.tests.factories import make_conversation
from documents.models import Document


def _chip(page: str) -> str:
    return page.split('class="file-chip"', 1)[1].split("</li>", 1)[0]


def _question_with_a_file(owner, status):
    conversation = make_conversation(owner, turns=1)
    question = conversation.current_leaf.parent
    doc = Document.objects.create(
        owner=owner, original_filename="report.txt", mime_type="text/plain", content_hash="0" * 64, status=status
    )
    Attachment.objects.create(
        message=question, file="chat/attachments/report.txt", original_name="report.txt", mime_type="text/plain",
        size=120, document=doc,
    )  # fmt: skip
    return conversation, doc


def test_it_shows_a_document_ready_once_it_is(owner_client, outsider_client, tenant_a, owner, in_tenant):
    with in_tenant(tenant_a):
        conversation, doc = _question_with_a_file(owner, Document.Status.PROCESSING)
    first = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'data-status="processing"' in _chip(first) and "file-status" in _chip(first)
    with in_tenant(tenant_a):  # what documents.services does when processing ends (a queryset update)
        Document.objects.filter(pk=doc.pk).update(status=Document.Status.READY)
    again = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'data-status="ready"' in _chip(again) and "file-status" not in _chip(again)
    assert outsider_client.get(f"/chat/{conversation.pk}/").status_code == 404


def test_it_shows_a_deleted_document_as_removed(owner_client, tenant_a, owner, in_tenant):
    from documents import services

    with in_tenant(tenant_a):
        conversation, doc = _question_with_a_file(owner, Document.Status.READY)
    first = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert f"/documents/{doc.pk}/view/" in _chip(first)
    with in_tenant(tenant_a):
        services.document_delete(document=doc)
    again = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'data-status="removed"' in _chip(again) and f"/documents/{doc.pk}/view/" not in again
