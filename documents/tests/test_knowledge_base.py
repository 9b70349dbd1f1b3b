"""Tenant admins curate the knowledge base; every member's answers draw on its active entries."""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from documents.models import KnowledgeEntry
from documents.retrieval import ConversationRetriever
from documents.tests.helpers import PLANTED_EN


def _process_all(in_tenant, tenant):
    from documents.models import Document

    with in_tenant(tenant):
        for pk in Document.objects.filter(status="processing").values_list("pk", flat=True):
            services.document_process(document_id=pk)


def test_a_typed_in_entry_reaches_every_members_answers(tenant_a, owner, member, in_tenant, media):
    with in_tenant(tenant_a):
        entry = services.knowledge_entry_save(
            entry=KnowledgeEntry(title="Drill warranty", content=PLANTED_EN, category="support"), user=owner
        )
    _process_all(in_tenant, tenant_a)
    with in_tenant(tenant_a):
        passages = ConversationRetriever(user_id=member.pk, conversation_id=uuid.uuid4()).search("Zephyr warranty")
        assert passages and "thirty-six months" in passages[0].text
        services.knowledge_entries_set_active(ids=[entry.pk], active=False)
        assert ConversationRetriever(user_id=member.pk, conversation_id=uuid.uuid4()).search("Zephyr warranty") == []


def test_admins_bulk_upload_and_test_retrieval(tenant_a, owner_client, in_tenant, media):
    files = [SimpleUploadedFile("policy.txt", PLANTED_EN.encode()), SimpleUploadedFile("empty.txt", b"")]
    response = owner_client.post("/admin/documents/knowledgeentry/bulk-upload/", {"files": files, "category": "hr"})
    assert response.status_code == 200
    assert "The file is empty." in response.content.decode()
    with in_tenant(tenant_a):
        assert list(KnowledgeEntry.objects.values_list("title", "category")) == [("policy.txt", "hr")]
    _process_all(in_tenant, tenant_a)
    page = owner_client.get("/admin/documents/knowledgeentry/retrieval-test/", {"query": "Zephyr warranty", "limit": 5})
    body = page.content.decode()
    assert page.status_code == 200 and "policy.txt" in body and "data-retrieval-time" in body
    listing = owner_client.get("/admin/documents/knowledgeentry/").content.decode()
    assert "policy.txt" in listing and "Ready" in listing


def test_members_cannot_use_the_admin_pages(member_client, outsider_client):
    for client in (member_client, outsider_client):
        r = client.get("/admin/documents/knowledgeentry/retrieval-test/", {"query": "x"})
        assert r.status_code in (302, 403, 404)
        assert "retrieval-results" not in r.content.decode()
