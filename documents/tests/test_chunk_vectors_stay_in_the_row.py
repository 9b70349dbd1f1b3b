"""A 384-d chunk's vector stays in its heap row, not in the TOAST table: the exact search of a narrow
scope reads each chunk's vector, and a TOAST lookup per chunk made it several times slower
(migration 0003; PERFORMANCE.md, documents run 4)."""

import uuid

from django.db import connection

from documents.models import Document
from documents.tests.helpers import FILLER, PLANTED_EN


def test_it_keeps_each_chunks_vector_in_the_row(tenant_a, owner, in_tenant, upload):
    cid = uuid.uuid4()
    upload(tenant_a, owner, "inline.txt", "\n\n".join([FILLER * 30, PLANTED_EN]).encode(), conversation_id=cid,
           scope="conversation")  # fmt: skip
    with in_tenant(tenant_a):
        doc = Document.objects.get(links__conversation_id=cid)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE pg_column_toast_chunk_id(embedding) IS NOT NULL), "
                "max(pg_column_size(embedding) + octet_length(content) "
                "+ pg_column_size(search_vector)) FROM documents_documentchunk c WHERE document_id = %s",
                [doc.pk],
            )
            chunks, toasted, largest_row = cursor.fetchone()
    assert doc.embedding_dimension == 384 and chunks >= 2
    assert largest_row > 2100  # over the default ~2 kB threshold: such a row had its vector moved out
    assert toasted == 0
