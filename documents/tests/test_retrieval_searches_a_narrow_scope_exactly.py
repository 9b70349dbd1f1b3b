"""A scope of few chunks is searched exactly (a distance for each of its chunks, sorted) instead of
walking the HNSW graph; both paths return the same top passages (PERFORMANCE.md, run 4)."""

import random
import uuid

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from documents.embedders.deterministic import DeterministicEmbedder
from documents.models import Document
from documents.retrieval import ConversationRetriever, _vectors, hybrid_search

WORDS = ("warranty drill battery charger invoice contract holiday salary budget forecast customer refund "
         "shipping delivery order product price discount training safety manual repair ticket account "
         "password server database backup network printer").split()  # fmt: skip


def _body(seed: int) -> str:
    rng = random.Random(seed)
    return "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(60)) + "." for _ in range(40))


def _plan(doc_id: str, scope_chunks: int | None) -> str:
    embedder = DeterministicEmbedder()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")  # a small table: make the index the planner's choice
        _vectors(cursor, [doc_id], embedder.embed_query("warranty"), embedder.name, 384, 10, scope_chunks)
        cursor.execute("EXPLAIN " + queries.captured_queries[-1]["sql"])
        return "\n".join(r[0] for r in cursor.fetchall())


def test_it_returns_the_same_top_passages_on_both_paths(tenant_a, owner, in_tenant, upload, settings):
    cid = uuid.uuid4()
    upload(tenant_a, owner, "varied.txt", _body(1).encode(), conversation_id=cid, scope="conversation")
    with in_tenant(tenant_a):
        doc = Document.objects.get(links__conversation_id=cid)
        assert doc.chunk_count >= 8
        # The graph walk is approximate: in the suite's test database the HNSW index also holds every
        # rolled-back chunk of earlier tests (never vacuumed), many of them identical filler texts, and
        # at the default ef_search a walk missed one of this document's chunks now and then. A walk wide
        # enough to reach every chunk of this small document must agree with the exact path exactly.
        settings.DOCUMENTS_HNSW_EF_SEARCH = 1000
        embedder = DeterministicEmbedder()
        args = {"doc_ids": [str(doc.pk)], "languages": {"en"}, "limit": 8, "embedder": embedder}
        for question in ("warranty on the drill battery", "refund for a shipping order", "server backup"):
            exact = hybrid_search(query=question, scope_chunks=doc.chunk_count, **args)
            graph = hybrid_search(query=question, scope_chunks=None, **args)
            assert (exact.vector_path, graph.vector_path) == ("exact", "hnsw")
            assert exact.hits and [(h.chunk_id, h.vector_rank) for h in exact.hits] == [
                (h.chunk_id, h.vector_rank) for h in graph.hits
            ]
        exact_plan, graph_plan = _plan(str(doc.pk), doc.chunk_count), _plan(str(doc.pk), None)
    assert "documents_chunk_hnsw_half_384" in graph_plan
    assert "hnsw" not in exact_plan


def test_the_conversation_retriever_picks_the_path_by_the_scopes_chunk_count(
    tenant_a, owner, in_tenant, upload, settings
):
    cid = uuid.uuid4()
    upload(tenant_a, owner, "varied.txt", _body(2).encode(), conversation_id=cid, scope="conversation")
    with in_tenant(tenant_a):
        chunks = Document.objects.get(links__conversation_id=cid).chunk_count
        for limit, exact in ((chunks, True), (chunks - 1, False)):
            settings.DOCUMENTS_EXACT_MAX_CHUNKS = limit
            with CaptureQueriesContext(connection) as queries:
                passages = ConversationRetriever(user_id=owner.pk, conversation_id=cid).search("warranty drill")
            assert passages
            assert (") + 0" in queries.captured_queries[-1]["sql"]) is exact
