from io import StringIO

from django.core.management import call_command

from documents.models import DocumentChunk
from documents.tests.helpers import FILLER


def test_it_reembeds_the_chunks_of_another_model_with_progress(tenant_a, owner, in_tenant, upload, settings, fake_llm):
    doc = upload(tenant_a, owner, "w.txt", (FILLER * 20).encode())
    fake_llm.platform("openai")
    settings.DOCUMENTS_EMBEDDER = "openai"
    settings.DOCUMENTS_OPENAI_EMBEDDING_DIMENSION = 1536
    out = StringIO()
    call_command("reembed_documents", "--subdomain", tenant_a.subdomain, stdout=out)
    text = out.getvalue()
    assert "[1/1] w.txt" in text and "1 document(s)" in text
    with in_tenant(tenant_a):
        models = set(DocumentChunk.objects.filter(document=doc).values_list("embedding_model", "embedding_dimension"))
        doc.refresh_from_db()
    assert models == {("openai:text-embedding-3-small:1536", 1536)}
    assert doc.embedding_model == "openai:text-embedding-3-small:1536"
    again = StringIO()
    call_command("reembed_documents", "--subdomain", tenant_a.subdomain, stdout=again)
    assert "0 document(s), 0 chunk(s)" in again.getvalue()  # safe to run again


def test_an_unknown_subdomain_is_an_error(db):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No workspace"):
        call_command("reembed_documents", "--subdomain", "nope")
