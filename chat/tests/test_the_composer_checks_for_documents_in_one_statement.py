"""Whether the composer offers answering from documents is one statement on every conversation
page: the user's own ready documents OR the workspace's active knowledge base."""

from chat.forms import _has_documents
from documents.models import Document, KnowledgeEntry


def _doc(owner, **kw):
    return Document.objects.create(owner=owner, original_filename="handbook.pdf", mime_type="application/pdf",
                                   content_hash="h" * 64, **kw)  # fmt: skip


def test_it_counts_the_knowledge_base_and_own_documents_in_one_statement(
    tenant_a, tenant_b, owner, member, outsider, in_tenant, django_assert_num_queries
):
    with in_tenant(tenant_a):
        assert _has_documents(member) is False  # (the schema's first statement also sets search_path)
        with django_assert_num_queries(1):
            assert _has_documents(member) is False
        _doc(owner, status="ready")  # another member's library document: not the member's
        assert _has_documents(member) is False
        kb = _doc(owner, status="ready", scope=Document.Scope.KNOWLEDGE_BASE)
        KnowledgeEntry.objects.create(title="Handbook", document=kb, created_by=owner)
        with django_assert_num_queries(1):
            assert _has_documents(member) is True
        KnowledgeEntry.objects.filter(document=kb).update(is_active=False)
        assert _has_documents(member) is False
        _doc(member, status="ready")
        assert _has_documents(member) is True
    with in_tenant(tenant_b):
        assert _has_documents(outsider) is False
