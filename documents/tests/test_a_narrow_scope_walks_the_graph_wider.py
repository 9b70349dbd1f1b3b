"""A filtered HNSW walk keeps only the chunks that pass the filter, so a scope that is a small share
of the tenant's chunks walks the graph wider for the same recall (hnsw.ef_search by the share;
PERFORMANCE.md, session 7). The share is the scope's chunk count over PostgreSQL's row estimate of
the tenant's chunk table, read in the same round trip."""

import uuid

from django.db import connection

from documents.embedders.deterministic import DeterministicEmbedder
from documents.models import Document
from documents.retrieval import hybrid_search
from documents.tests.helpers import FILLER, PLANTED_EN


def _ef_after_search(doc_ids, scope_chunks) -> int:
    hybrid_search(doc_ids=doc_ids, query="Zephyr drill warranty", languages={"en"}, limit=3,
                  embedder=DeterministicEmbedder(), scope_chunks=scope_chunks)  # fmt: skip
    with connection.cursor() as cursor:  # the test's transaction: the statement's local settings still hold
        cursor.execute("SHOW hnsw.ef_search")
        return int(cursor.fetchone()[0])


def test_the_walk_widens_as_the_scopes_share_of_the_tenant_narrows(tenant_a, owner, in_tenant, upload, settings):
    settings.DOCUMENTS_HNSW_EF_SEARCH = 300
    settings.DOCUMENTS_HNSW_EF_SEARCH_NARROW = ((0.75, 400), (0.2, 600))
    cid = uuid.uuid4()
    upload(tenant_a, owner, "share.txt", "\n\n".join([*[FILLER * 10] * 12, PLANTED_EN]).encode(), conversation_id=cid,
           scope="conversation")  # fmt: skip
    with in_tenant(tenant_a):
        doc_ids = [str(pk) for pk in Document.objects.filter(links__conversation_id=cid).values_list("pk", flat=True)]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE documents_documentchunk")  # a small table: reltuples = its live rows
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'documents_documentchunk'::regclass")
            total = int(cursor.fetchone()[0])
        assert total >= 10
        assert _ef_after_search(doc_ids, total) == 300  # the whole tenant
        assert _ef_after_search(doc_ids, int(total * 0.8)) == 300
        assert _ef_after_search(doc_ids, int(total * 0.5)) == 400
        assert _ef_after_search(doc_ids, int(total * 0.1)) == 600
        assert _ef_after_search(doc_ids, None) == 300  # unknown scope: the base walk


def test_no_tier_walks_narrower_than_the_base(tenant_a, owner, in_tenant, upload, settings):
    settings.DOCUMENTS_HNSW_EF_SEARCH = 500
    settings.DOCUMENTS_HNSW_EF_SEARCH_NARROW = ((0.75, 400),)
    cid = uuid.uuid4()
    upload(tenant_a, owner, "base.txt", PLANTED_EN.encode(), conversation_id=cid, scope="conversation")
    with in_tenant(tenant_a):
        doc_ids = [str(pk) for pk in Document.objects.filter(links__conversation_id=cid).values_list("pk", flat=True)]
        assert _ef_after_search(doc_ids, 1) == 500
