"""The library lists the user's documents with status, size, pages and date; search by name;
pagination; the same number of queries for 3 documents as for 30."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import Document


def _make(in_tenant, tenant, user, n, prefix="file"):
    with in_tenant(tenant):
        Document.objects.bulk_create([
            Document(owner=user, original_filename=f"{prefix}-{i:02d}.pdf", file_size=2048, mime_type="application/pdf",
                     content_hash=f"{prefix}{i:0{64 - len(prefix)}d}", status="ready", page_count=i + 1)
            for i in range(n)
        ])  # fmt: skip


def _queries(client, path="/documents/"):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_it_lists_searches_and_paginates(tenant_a, owner, owner_client, in_tenant):
    _make(in_tenant, tenant_a, owner, 30)
    body = owner_client.get("/documents/").content.decode()
    assert body.count("data-document-id=") == 25 and "Page 1 of 2" in body
    assert "2.0 KB" in body.replace("\xa0", " ")
    found = owner_client.get("/documents/", {"q": "file-07"}).content.decode()
    assert found.count("data-document-id=") == 1 and "file-07.pdf" in found


def test_the_number_of_queries_does_not_grow_with_the_documents(tenant_a, owner, owner_client, in_tenant):
    _make(in_tenant, tenant_a, owner, 26, prefix="a")  # a full page, and a second one
    _queries(owner_client)  # the first request of a session also warms per-process caches
    few = _queries(owner_client)
    _make(in_tenant, tenant_a, owner, 40, prefix="b")
    assert _queries(owner_client) == few


def test_a_processing_row_polls_itself_and_a_ready_one_does_not(tenant_a, owner, owner_client, in_tenant):
    with in_tenant(tenant_a):
        doc = Document.objects.create(
            owner=owner, original_filename="busy.pdf", mime_type="application/pdf", content_hash="c" * 64,
            status="processing", stage="embedding", progress=40,
        )  # fmt: skip
    row = owner_client.get(f"/documents/{doc.pk}/row/").content.decode()
    assert 'data-status="processing"' in row and 'hx-trigger="every 2s"' in row and 'value="40"' in row
    with in_tenant(tenant_a):
        Document.objects.filter(pk=doc.pk).update(status="ready", stage="done", progress=100)
    row = owner_client.get(f"/documents/{doc.pk}/row/").content.decode()
    assert 'data-status="ready"' in row and "hx-trigger" not in row
