from documents.tests.helpers import FILLER, PLANTED_SL, pdf_bytes


def test_each_chunk_points_back_into_the_extracted_text(tenant_a, owner, upload, in_tenant):
    text = ("Čšž " + FILLER) * 30 + PLANTED_SL + FILLER * 30
    doc = upload(tenant_a, owner, "long.txt", text.encode())
    with in_tenant(tenant_a):
        chunks = list(doc.chunks.order_by("chunk_index"))
    assert len(chunks) > 3
    for c in chunks:
        assert doc.content[c.start_position : c.end_position] == c.content
        assert c.embedding_model and c.embedding_dimension == 384
    assert [c.chunk_index for c in chunks] == list(range(len(chunks)))


def test_pdf_chunks_name_their_page(tenant_a, owner, upload, in_tenant):
    doc = upload(tenant_a, owner, "p.pdf", pdf_bytes(["first page words " * 30, "second page words " * 30]))
    with in_tenant(tenant_a):
        for c in doc.chunks.all():
            assert doc.content[c.start_position : c.end_position] == c.content
            assert c.page == (1 if "first" in c.content else 2)
