"""The hybrid query is one round trip to PostgreSQL: planner settings, both candidate sets, the RRF
fusion and the passages' rows in one query string (PERFORMANCE.md, "Documents and retrieval")."""

import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.embedders.deterministic import DeterministicEmbedder
from documents.models import Document
from documents.retrieval import hybrid_search
from documents.tests.helpers import FILLER, PLANTED_EN


def test_it_answers_a_question_with_one_query(tenant_a, owner, in_tenant, upload):
    cid = uuid.uuid4()
    body = "\n\n".join([FILLER * 10, PLANTED_EN, FILLER * 10])
    upload(tenant_a, owner, "one-trip.txt", body.encode(), conversation_id=cid, scope="conversation")
    with in_tenant(tenant_a):
        doc_ids = [str(pk) for pk in Document.objects.filter(links__conversation_id=cid).values_list("pk", flat=True)]
        embedder = DeterministicEmbedder()
        with CaptureQueriesContext(connection) as queries:
            result = hybrid_search(doc_ids=doc_ids, query="Zephyr drill warranty", languages={"en"}, limit=3,
                                   embedder=embedder)  # fmt: skip
        assert len(queries.captured_queries) == 1
        assert "hnsw.ef_search" in queries.captured_queries[0]["sql"]
        top = result.hits[0]
        assert "thirty-six months" in top.content and top.filename == "one-trip.txt"
        assert top.fts_rank == 1 and top.vector_rank is not None and top.score > 0
