"""Words found in most of the tenant's chunks leave the full-text OR query, so the passage matching
the question's rare word is ranked even when the frequent word's matches fill the scan limit
(PERFORMANCE.md, "Documents and retrieval", run 4)."""

import uuid

import pytest
from django.db import connection

from documents.embedders.deterministic import DeterministicEmbedder
from documents.models import Document
from documents.retrieval import hybrid_search
from documents.tests.helpers import FILLER, PLANTED_EN, PLANTED_SL

FILLER_SL = (
    "Četrtletna poročila opisujejo prihodke severne regije, načrt zaposlovanja inženirjev in urnik selitve pisarne. "
)
CASES = {
    # language: (filler, planted, question: the filler's word + the planted passage's word, frequent lexeme)
    "en": (FILLER, PLANTED_EN, "quarterly warranty", "quarter"),
    "sl": (FILLER_SL, PLANTED_SL, "poročila garancije", "poročilo"),
}


def _frequency(lexeme: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.f FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) "
            "AS m(e, f) WHERE s.schemaname = current_schema() AND s.tablename = 'documents_documentchunk' "
            "AND s.attname = 'search_vector' AND m.e = %s",
            [lexeme],
        )
        row = cursor.fetchone()
    return row[0] if row else 0.0


@pytest.mark.parametrize("language", ["en", "sl"])
def test_it_ranks_the_rare_words_passage_past_the_frequent_words_matches(
    language, tenant_a, owner, in_tenant, upload, settings
):
    filler, planted, question, frequent = CASES[language]
    body = "\n\n".join([filler * 150, planted, filler * 150])
    cid = uuid.uuid4()
    upload(tenant_a, owner, f"manual-{language}.txt", body.encode(), conversation_id=cid, scope="conversation")
    settings.DOCUMENTS_FTS_FREQUENT_MIN_CHUNKS = 0  # this small tenant's statistics count
    settings.DOCUMENTS_FTS_SCAN_LIMIT = 3  # fewer than the filler chunks that come before the passage
    with in_tenant(tenant_a):
        doc = Document.objects.get(links__conversation_id=cid)
        assert doc.language == language and doc.chunk_count > 40
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE documents_documentchunk")  # what autovacuum keeps up to date
        assert _frequency(frequent) > settings.DOCUMENTS_FTS_MAX_TERM_FREQUENCY
        result = hybrid_search(doc_ids=[str(doc.pk)], query=question, languages={language}, limit=3,
                               embedder=DeterministicEmbedder(), scope_chunks=doc.chunk_count)  # fmt: skip
    planted_hits = [h for h in result.hits if planted[:40] in h.content]
    assert planted_hits and planted_hits[0].fts_rank == 1


def test_it_asks_for_every_word_when_all_of_them_are_frequent(tenant_a, owner, in_tenant, upload, settings):
    cid = uuid.uuid4()
    body = "\n\n".join([FILLER * 40, PLANTED_EN])
    upload(tenant_a, owner, "reports.txt", body.encode(), conversation_id=cid, scope="conversation")
    settings.DOCUMENTS_FTS_FREQUENT_MIN_CHUNKS = 0
    with in_tenant(tenant_a):
        doc = Document.objects.get(links__conversation_id=cid)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE documents_documentchunk")
        assert min(_frequency("quarter"), _frequency("revenu")) > settings.DOCUMENTS_FTS_MAX_TERM_FREQUENCY
        result = hybrid_search(doc_ids=[str(doc.pk)], query="quarterly revenue", languages={"en"}, limit=3,
                               embedder=DeterministicEmbedder(), scope_chunks=doc.chunk_count)  # fmt: skip
    ranked = [h for h in result.hits if h.fts_rank is not None]
    assert ranked and all("Quarterly" in h.content and "revenue" in h.content for h in ranked)


def test_a_small_tenant_keeps_every_word(tenant_a, owner, in_tenant, upload, settings):
    """Below DOCUMENTS_FTS_FREQUENT_MIN_CHUNKS the statistics describe a handful of documents."""
    cid = uuid.uuid4()
    body = "\n\n".join([FILLER * 150, PLANTED_EN, FILLER * 150])
    upload(tenant_a, owner, "small.txt", body.encode(), conversation_id=cid, scope="conversation")
    settings.DOCUMENTS_FTS_SCAN_LIMIT = 3
    with in_tenant(tenant_a):
        doc = Document.objects.get(links__conversation_id=cid)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE documents_documentchunk")
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'documents_documentchunk'::regclass")
            assert cursor.fetchone()[0] < settings.DOCUMENTS_FTS_FREQUENT_MIN_CHUNKS
        assert _frequency("quarter") > settings.DOCUMENTS_FTS_MAX_TERM_FREQUENCY
        result = hybrid_search(doc_ids=[str(doc.pk)], query="quarterly warranty", languages={"en"}, limit=3,
                               embedder=DeterministicEmbedder(), scope_chunks=doc.chunk_count)  # fmt: skip
    # "quarterly" stayed in the OR query: its first matches filled the scan limit, ahead of the passage
    ranked = [h for h in result.hits if h.fts_rank is not None]
    assert ranked and all("Quarterly" in h.content and PLANTED_EN[:40] not in h.content for h in ranked)
