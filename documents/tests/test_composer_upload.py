"""Files chosen in the composer go to the conversation at once, starting one if there is none;
the question sent with them gets an attachment for each; outsiders get 404."""

from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import Attachment, Conversation
from chat.services import conversation_create
from documents.models import Document, DocumentLink
from documents.tests.helpers import PLANTED_EN


def test_a_file_in_the_new_chat_starts_a_conversation(owner_client, owner, tenant_a, in_tenant, media):
    r = owner_client.post("/chat/files/", {"files": [SimpleUploadedFile("w.txt", PLANTED_EN.encode())]},
                          HTTP_ACCEPT="application/json")  # fmt: skip
    body = r.json()
    assert r.status_code == 200 and body["created"] is True
    assert body["results"][0]["ok"] and body["results"][0]["status"] == "processing"
    with in_tenant(tenant_a):
        conversation = Conversation.objects.get(pk=body["conversation_id"], user=owner)
        doc = Document.objects.get(pk=body["results"][0]["id"])
        assert doc.scope == "conversation" and doc.conversation_id == conversation.pk
        assert DocumentLink.objects.filter(conversation_id=conversation.pk, document=doc).exists()
    status = owner_client.get(body["results"][0]["status_url"]).json()
    assert status["status"] == "processing" and status["stage"] == "queued"


def test_the_question_sent_with_files_gets_attachments(owner_client, owner, tenant_a, in_tenant, media):
    with in_tenant(tenant_a):
        conversation = conversation_create(user=owner)
    body = owner_client.post(f"/chat/{conversation.pk}/files/", {"files": [SimpleUploadedFile("w.txt", b"hello")]},
                             HTTP_ACCEPT="application/json").json()  # fmt: skip
    doc_id = body["results"][0]["id"]
    owner_client.post(f"/chat/{conversation.pk}/messages/", {"content": "What is in it?", "documents": [doc_id]})
    with in_tenant(tenant_a):
        attachment = Attachment.objects.get(message__conversation=conversation)
        assert attachment.original_name == "w.txt" and attachment.size == 5
        assert attachment.message.role == "user"


def test_removing_a_file_before_sending_deletes_it(owner_client, owner, tenant_a, in_tenant, media):
    with in_tenant(tenant_a):
        conversation = conversation_create(user=owner)
    body = owner_client.post(f"/chat/{conversation.pk}/files/", {"files": [SimpleUploadedFile("w.txt", b"hello")]},
                             HTTP_ACCEPT="application/json").json()  # fmt: skip
    doc_id = body["results"][0]["id"]
    assert owner_client.post(f"/chat/{conversation.pk}/files/{doc_id}/remove/").status_code == 200
    with in_tenant(tenant_a):
        assert not Document.objects.filter(pk=doc_id).exists()


def test_the_outsider_and_another_member_get_404(owner, member_client, outsider_client, tenant_a, in_tenant, media):
    with in_tenant(tenant_a):
        conversation = conversation_create(user=owner)
    for client in (member_client, outsider_client):
        r = client.post(f"/chat/{conversation.pk}/files/", {"files": [SimpleUploadedFile("x.txt", b"x")]})
        assert r.status_code == 404
    with in_tenant(tenant_a):
        assert not Document.objects.exists()


def test_ask_about_a_library_document_links_it_to_the_new_conversation(
    owner_client, owner, tenant_a, in_tenant, upload
):
    doc = upload(tenant_a, owner, "lib.txt", PLANTED_EN.encode())
    page = owner_client.get(owner_client.get(f"/documents/{doc.pk}/ask/")["Location"]).content.decode()
    assert f'name="documents" value="{doc.pk}"' in page and "lib.txt" in page
    owner_client.post("/chat/new/", {"content": "What does it say?", "documents": [str(doc.pk)]})
    with in_tenant(tenant_a):
        conversation = Conversation.objects.get(user=owner)
        assert DocumentLink.objects.filter(conversation_id=conversation.pk, document=doc).exists()
