"""Another member's private documents and the outsider's never come back: service, views, retrieval."""

import uuid

from documents import services
from documents.models import Document, DocumentLink
from documents.retrieval import ConversationRetriever
from documents.selectors import documents_for_user
from documents.tests.helpers import PLANTED_EN


def test_retrieval_ignores_another_members_document_even_if_linked(tenant_a, owner, member, in_tenant, upload):
    cid = uuid.uuid4()
    doc = upload(tenant_a, owner, "owners.txt", PLANTED_EN.encode(), conversation_id=cid, scope="conversation")
    with in_tenant(tenant_a):
        # the member's conversation somehow links the owner's document: still not theirs to read
        other = uuid.uuid4()
        DocumentLink.objects.create(conversation_id=other, document=doc)
        assert ConversationRetriever(user_id=member.pk, conversation_id=other).search("Zephyr warranty") == []
        assert services.documents_link_for_user(user=member, conversation_id=other, document_ids=[doc.pk]) == 0
        assert list(documents_for_user(user=member)) == []


def test_the_outsider_gets_404_and_nothing_changes(tenant_a, owner, upload, outsider_client, in_tenant, tenant_b):
    doc = upload(tenant_a, owner, "owners.txt", PLANTED_EN.encode())
    for method, path in [
        ("get", f"/documents/{doc.pk}/view/"),
        ("get", f"/documents/{doc.pk}/row/"),
        ("get", f"/documents/{doc.pk}/status/"),
        ("get", f"/documents/{doc.pk}/ask/"),
        ("post", f"/documents/{doc.pk}/delete/"),
        ("post", f"/documents/{doc.pk}/cancel/"),
        ("post", f"/documents/{doc.pk}/retry/"),
    ]:
        assert getattr(outsider_client, method)(path).status_code == 404, path
    body = outsider_client.get("/documents/").content.decode()
    assert "owners.txt" not in body
    with in_tenant(tenant_a):
        assert Document.objects.filter(pk=doc.pk, status="ready").exists()


def test_another_member_gets_404_and_nothing_changes(tenant_a, owner, upload, member_client, in_tenant):
    doc = upload(tenant_a, owner, "owners.txt", PLANTED_EN.encode())
    for method, path in [
        ("get", f"/documents/{doc.pk}/view/"),
        ("get", f"/documents/{doc.pk}/row/"),
        ("post", f"/documents/{doc.pk}/delete/"),
        ("post", f"/documents/{doc.pk}/retry/"),
    ]:
        assert getattr(member_client, method)(path).status_code == 404, path
    assert "owners.txt" not in member_client.get("/documents/").content.decode()
    with in_tenant(tenant_a):
        assert Document.objects.filter(pk=doc.pk).exists()


def test_the_owner_sees_and_opens_their_document(tenant_a, owner, upload, owner_client, in_tenant):
    doc = upload(tenant_a, owner, "owners.txt", PLANTED_EN.encode())
    with in_tenant(tenant_a):
        chunk = doc.chunks.first()
    body = owner_client.get("/documents/").content.decode()
    assert f'data-document-id="{doc.pk}"' in body and 'data-status="ready"' in body
    page = owner_client.get(f"/documents/{doc.pk}/view/?chunk={chunk.pk}").content.decode()
    assert '<mark id="passage" class="passage">' in page and "thirty-six months" in page
