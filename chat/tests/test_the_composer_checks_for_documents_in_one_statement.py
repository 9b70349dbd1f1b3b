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


def test_it_answers_for_each_user_with_the_statement_compiled_once(tenant_a, owner, member, in_tenant, monkeypatch):
    import chat.forms

    for first, second in ((owner, member), (member, owner)):
        monkeypatch.setattr(chat.forms, "_documents_sql", None)  # compiled for ``first``, then reused
        with in_tenant(tenant_a):
            if not Document.objects.filter(owner=owner, status="ready").exists():
                _doc(owner, status="ready")
            assert _has_documents(first) is (first == owner)
            assert _has_documents(second) is (second == owner)
