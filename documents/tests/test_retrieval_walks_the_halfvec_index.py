"""A wide scope's vector search walks the HNSW graph built over half-precision copies of the vectors
(migration 0004, ``embedding::halfvec(<dim>)``: the same recall at ~40 % less CPU per walk,
PERFORMANCE.md "Session 6"), in the hybrid statement the retriever sends, while the distances it
returns stay the full-precision ones and a narrow scope is still searched exactly."""

import uuid

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from documents.embedders.deterministic import DeterministicEmbedder
from documents.models import Document
from documents.retrieval import _hybrid, _vectors
from documents.tests.helpers import FILLER, PLANTED_EN


def _explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(r[0] for r in cursor.fetchall())


def _doc(tenant_a, owner, in_tenant, upload):
    cid = uuid.uuid4()
    upload(tenant_a, owner, "half.txt", "\n\n".join([FILLER * 30, PLANTED_EN, FILLER * 30]).encode(),
           conversation_id=cid, scope="conversation")  # fmt: skip
    with in_tenant(tenant_a):
        return Document.objects.get(links__conversation_id=cid)


def test_it_walks_the_halfvec_index_in_the_hybrid_statement(tenant_a, owner, in_tenant, upload):
    doc = _doc(tenant_a, owner, in_tenant, upload)
    embedder = DeterministicEmbedder()
    with in_tenant(tenant_a):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = 'documents_documentchunk' AND indexdef LIKE '%%USING hnsw%%'"
            )
            indexes = dict(cursor.fetchall())
        assert set(indexes) == {"documents_chunk_hnsw_half_384", "documents_chunk_hnsw_half_1536"}
        assert "halfvec_cosine_ops" in indexes["documents_chunk_hnsw_half_384"]
        with transaction.atomic(), CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a small table: make the index the planner's choice
            cursor.execute("SET LOCAL enable_sort = off")
            rows = _hybrid(cursor, [str(doc.pk)], "warranty drill", {"en"}, embedder.embed_query("warranty drill"),
                           embedder.name, 384, 10, 5, 0.0, scope_chunks=None)  # fmt: skip
            hybrid_sql = queries.captured_queries[-1]["sql"].split(";\n", 1)[1]  # past the settings' SELECT
            plan = _explain(hybrid_sql)
    assert rows
    assert "documents_chunk_hnsw_half_384" in plan


def test_it_returns_full_precision_distances_and_keeps_narrow_scopes_exact(tenant_a, owner, in_tenant, upload):
    doc = _doc(tenant_a, owner, in_tenant, upload)
    embedder = DeterministicEmbedder()
    qvec = embedder.embed_query("warranty drill")
    with in_tenant(tenant_a):
        plans, found = {}, {}
        for path, scope_chunks in (("hnsw", None), ("exact", doc.chunk_count)):
            with transaction.atomic(), CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_sort = off")
                found[path] = _vectors(cursor, [str(doc.pk)], qvec, embedder.name, 384, 10, scope_chunks)
                plans[path] = _explain(queries.captured_queries[-1]["sql"])
        with connection.cursor() as cursor:  # the float32 cosine similarity of every chunk, as exact search has it
            cursor.execute(
                "SELECT id, 1 - (embedding::vector(384) <=> %s::vector(384)) FROM documents_documentchunk "
                "WHERE document_id = %s",
                ["[" + ",".join(repr(float(x)) for x in qvec) + "]", doc.pk],
            )
            exact = dict(cursor.fetchall())
    assert "documents_chunk_hnsw_half_384" in plans["hnsw"]
    assert "hnsw" not in plans["exact"]
    # the same similarities in the same order (the filler chunks are identical texts: ties in any order)
    assert [round(s, 6) for _c, s in found["hnsw"]] == [round(s, 6) for _c, s in found["exact"]]
    for cid, score in found["hnsw"]:  # not rounded to half precision (~3 significant digits)
        assert abs(score - exact[cid]) < 1e-6
