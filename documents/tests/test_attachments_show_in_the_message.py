"""Files sent with a question show in it as chips (name, size, status, a link to the viewer), and
"Ask about this document" puts its chip on the new conversation's first question; outsiders get 404
from the viewer and see nothing."""

import uuid

from chat.models import Attachment, Conversation
from documents.models import Document


def test_ask_about_this_document_attaches_it_to_the_first_question(owner_client, outsider_client, owner, tenant_a,
                                                                    in_tenant, upload, celery_eager):  # fmt: skip
    doc = upload(tenant_a, owner, "atlas-guide.txt", f"Ljubljana is the capital. {uuid.uuid4()}".encode())
    assert owner_client.get(f"/documents/{doc.pk}/ask/").status_code == 302
    r = owner_client.post("/chat/new/", {"content": "What is the capital?", "documents": [str(doc.pk)]})
    assert r.status_code in (200, 302)
    with in_tenant(tenant_a):
        conversation = Conversation.objects.filter(user=owner).latest("created_at")
        attachment = Attachment.objects.get(message__conversation=conversation)
        assert attachment.document_id == doc.pk and attachment.message.role == "user"
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'class="msg-attachments"' in page and "atlas-guide.txt" in page
    assert f"/documents/{doc.pk}/view/" in page
    assert outsider_client.get(f"/documents/{doc.pk}/view/").status_code == 404
    assert outsider_client.get(f"/chat/{conversation.pk}/").status_code == 404


def test_a_deleted_document_leaves_its_chip_without_a_link(owner_client, owner, tenant_a, in_tenant, upload):
    from chat.services import conversation_create
    from documents import services

    with in_tenant(tenant_a):
        conversation = conversation_create(user=owner)
    doc = upload(tenant_a, owner, "gone.txt", f"text {uuid.uuid4()}".encode(), conversation_id=conversation.pk,
                 scope="library")  # fmt: skip
    owner_client.post(f"/chat/{conversation.pk}/messages/", {"content": "Summarise it", "documents": [str(doc.pk)]})
    with in_tenant(tenant_a):
        services.document_delete(document=Document.objects.get(pk=doc.pk))
        assert Attachment.objects.get(message__conversation=conversation).document_id is None
    page = owner_client.get(f"/chat/{conversation.pk}/").content.decode()
    assert 'data-status="removed"' in page and "gone.txt" in page
