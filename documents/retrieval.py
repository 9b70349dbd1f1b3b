"""Hybrid retrieval: PostgreSQL full text and pgvector nearest neighbours, fused by reciprocal rank.

``ConversationRetriever`` is what orchestration's ``Retriever`` interface gets from chat (DESIGN
§3: chat -> orchestration -> documents). Its scope: the documents linked to the conversation
(uploaded in it or attached from the library) that belong to the asking user, plus the
workspace's active knowledge base; ready documents only, and only chunks embedded with the
current model (vectors of two models are never compared).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from core.textsearch import OR_TSQUERY_SQL, config_for, prepare

from . import media
from .models import Document, DocumentLink, KnowledgeEntry

RRF_K = 60


@dataclass
class Hit:
    chunk_id: int
    document_id: str
    filename: str
    page: int | None
    content: str
    start: int
    end: int
    fts_rank: int | None = None
    fts_score: float | None = None
    vector_rank: int | None = None
    vector_score: float | None = None
    score: float = 0.0
    kind: str = "document"

    @property
    def url(self) -> str:
        return reverse("documents:document_view", args=[self.document_id]) + f"?chunk={self.chunk_id}#passage"


@dataclass
class Result:
    hits: list[Hit]
    timings_ms: dict = field(default_factory=dict)


def scope_documents(*, user_id, conversation_id=None, include_kb: bool = True):
    """Ready documents this user's answer in this conversation may draw on."""
    q = Q(pk__in=[])
    if conversation_id:
        linked = DocumentLink.objects.filter(conversation_id=conversation_id, document=OuterRef("pk"))
        q |= Q(Exists(linked), owner_id=user_id) & ~Q(scope=Document.Scope.KNOWLEDGE_BASE)
    if include_kb:
        active = KnowledgeEntry.objects.filter(document=OuterRef("pk"), is_active=True)
        q |= Q(Exists(active), scope=Document.Scope.KNOWLEDGE_BASE)
    # images and audio have no passages: a conversation with only those draws on no documents
    media_types = sorted(media.IMAGE_MIMES | media.AUDIO_MIMES)
    return Document.objects.filter(q, status=Document.Status.READY).exclude(mime_type__in=media_types)


def _vector_literal(vec) -> str:
    return "[" + ",".join(f"{float(x):.7g}" for x in vec) + "]"


# Ranking reads every matching row; a query of common words in a large knowledge base matches
# most of it. At most DOCUMENTS_FTS_SCAN_LIMIT matches are ranked (latency stays bounded; such a
# query leans on the vector side anyway).
_FTS = """
SELECT m.id, ts_rank(m.search_vector, q.q) AS rank
FROM (SELECT {tsquery} AS q) q, LATERAL (
    SELECT c.id, c.search_vector FROM documents_documentchunk c
    WHERE c.document_id = ANY(%s::uuid[]) AND c.search_vector @@ q.q LIMIT %s
) m
ORDER BY rank DESC, m.id LIMIT %s
"""

_VEC = """
SELECT c.id, c.embedding::vector({dim}) <=> %s::vector({dim}) AS distance
FROM documents_documentchunk c
WHERE c.embedding_dimension = {dim} AND c.embedding_model = %s AND c.document_id = ANY(%s::uuid[])
ORDER BY c.embedding::vector({dim}) <=> %s::vector({dim}) LIMIT %s
"""


def _fts(cursor, doc_ids: list[str], query: str, languages: set[str], limit: int) -> list[tuple[int, float]]:
    tsquery, params = _tsquery(query, languages)
    scan = int(getattr(settings, "DOCUMENTS_FTS_SCAN_LIMIT", 2000))
    cursor.execute(_FTS.format(tsquery=tsquery), [*params, doc_ids, scan, limit])
    return [(r[0], float(r[1])) for r in cursor.fetchall()]


def _vectors(cursor, doc_ids: list[str], vector, model: str, dim: int, limit: int) -> list[tuple[int, float]]:
    lit = _vector_literal(vector)
    ef = int(getattr(settings, "DOCUMENTS_HNSW_EF_SEARCH", 100))
    cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
    cursor.execute(f"SET LOCAL hnsw.ef_search = {max(ef, limit)}")
    cursor.execute(_VEC.format(dim=int(dim)), [lit, model, doc_ids, lit, limit])
    rows = sorted(((r[0], float(r[1])) for r in cursor.fetchall()), key=lambda r: r[1])  # relaxed order
    return [(cid, 1.0 - dist) for cid, dist in rows]


# One round trip for the whole hybrid query (PERFORMANCE.md "Documents and retrieval"): the two
# planner settings (local to this statement's implicit transaction, or to the caller's), then one
# statement with both candidate sets, fused by RRF in SQL, joined to the chunk and document rows of
# the top ``limit`` only. Sent as one simple-query string (psycopg's client-side binding).
_SETTINGS = "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', %s, true)"
_HYBRID = """
WITH q AS (SELECT {tsquery} AS q),
fts AS (
    SELECT m.id, ts_rank(m.search_vector, q.q) AS score,
           row_number() OVER (ORDER BY ts_rank(m.search_vector, q.q) DESC, m.id) AS rank
    FROM q, LATERAL (
        SELECT c.id, c.search_vector FROM documents_documentchunk c
        WHERE c.document_id = ANY(%s::uuid[]) AND c.search_vector @@ q.q LIMIT %s
    ) m
    ORDER BY score DESC, m.id LIMIT %s
),
vec AS (
    SELECT v.id, 1 - v.distance AS score, row_number() OVER (ORDER BY v.distance, v.id) AS rank FROM (
        SELECT c.id, c.embedding::vector({dim}) <=> %s::vector({dim}) AS distance
        FROM documents_documentchunk c
        WHERE c.embedding_dimension = {dim} AND c.embedding_model = %s AND c.document_id = ANY(%s::uuid[])
        ORDER BY c.embedding::vector({dim}) <=> %s::vector({dim}) LIMIT %s
    ) v
),
fused AS (
    SELECT coalesce(f.id, v.id) AS id, f.rank AS fts_rank, f.score AS fts_score, v.rank AS vec_rank,
           v.score AS vec_score,
           coalesce(1.0 / ({k} + f.rank), 0) + coalesce(1.0 / ({k} + v.rank), 0) AS rrf
    FROM fts f FULL OUTER JOIN vec v ON v.id = f.id
),
top AS (SELECT * FROM fused WHERE rrf >= %s ORDER BY rrf DESC, id DESC LIMIT %s)
SELECT t.id, t.rrf, t.fts_rank, t.fts_score, t.vec_rank, t.vec_score, c.content, c.start_position,
       c.end_position, c.page, d.id, d.original_filename, d.scope
FROM top t JOIN documents_documentchunk c ON c.id = t.id JOIN documents_document d ON d.id = c.document_id
ORDER BY t.rrf DESC, t.id DESC
"""


def _tsquery(query: str, languages: set[str]) -> tuple[str, list]:
    configs: dict[str, str] = {}
    for lang in languages or {""}:
        cfg = config_for(lang)
        configs.setdefault(cfg, prepare(query, lang))
    parts, params = [], []
    for cfg, text in configs.items():
        parts.append(OR_TSQUERY_SQL)
        params += [cfg, text]
    return " || ".join(parts), params


def _hybrid(cursor, doc_ids: list[str], query: str, languages: set[str], vector, model: str, dim: int,
            candidates: int, limit: int, min_score: float) -> list[tuple]:  # fmt: skip
    tsquery, ts_params = _tsquery(query, languages)
    lit = _vector_literal(vector)
    ef = max(int(getattr(settings, "DOCUMENTS_HNSW_EF_SEARCH", 100)), candidates)
    scan = int(getattr(settings, "DOCUMENTS_FTS_SCAN_LIMIT", 2000))
    sql = _SETTINGS + ";\n" + _HYBRID.format(tsquery=tsquery, dim=int(dim), k=int(RRF_K))
    params = [str(ef), *ts_params, doc_ids, scan, candidates, lit, model, doc_ids, lit, candidates, min_score, limit]
    cursor.execute(sql, params)
    cursor.nextset()  # past the settings' row
    return cursor.fetchall()


def hybrid_search(*, doc_ids: list[str], query: str, languages: set[str], limit: int = 5, embedder=None,
                  candidates: int | None = None, min_score: float | None = None) -> Result:  # fmt: skip
    """Rank chunks of ``doc_ids`` for ``query``: top-N of full text and of vectors, fused by RRF."""
    from .embedders import current

    timings: dict[str, float] = {}
    if not doc_ids or not query.strip():
        return Result([], timings)
    embedder = embedder or current()
    n = candidates or int(getattr(settings, "DOCUMENTS_RETRIEVAL_CANDIDATES", 40))
    t = time.perf_counter()
    qvec = embedder.embed_query(query)
    timings["embed_query_ms"] = round((time.perf_counter() - t) * 1000, 2)
    ids = [str(i) for i in doc_ids]
    t = time.perf_counter()
    with connection.cursor() as cursor:
        rows = _hybrid(cursor, ids, query, languages, qvec, embedder.name, embedder.dimension, n, limit,
                       float(min_score or 0.0))  # fmt: skip
    timings["query_ms"] = round((time.perf_counter() - t) * 1000, 2)
    hits = []
    for cid, rrf, fts_rank, fts_score, vec_rank, vec_score, content, start, end, page, doc_id, filename, scope in rows:
        kind = "knowledge_base" if scope == Document.Scope.KNOWLEDGE_BASE else "document"
        hits.append(Hit(
            chunk_id=cid, document_id=str(doc_id), filename=filename, page=page, content=content, start=start,
            end=end, fts_rank=fts_rank, fts_score=None if fts_score is None else float(fts_score),
            vector_rank=vec_rank, vector_score=None if vec_score is None else float(vec_score),
            score=round(float(rrf), 5), kind=kind,
        ))  # fmt: skip
    return Result(hits, timings)


@dataclass(frozen=True)
class Passage:
    """A retrieved passage, in the shape orchestration's ``Retriever`` protocol reads (its
    ``engine.Passage`` has the same fields; documents does not import orchestration, DESIGN §3)."""

    text: str
    title: str
    url: str = ""
    document_id: str = ""
    chunk_id: str = ""
    score: float = 0.0
    page: int | None = None


class ConversationRetriever:
    """orchestration.engine.Retriever over one user's conversation (and the knowledge base)."""

    def __init__(self, *, user_id, conversation_id, top_k: int | None = None, min_score: float = 0.0) -> None:
        """``conversation_id``: the id, or a callable returning it (looked up on first use)."""
        self.user_id = user_id
        self.conversation_id = conversation_id
        self.top_k = top_k  # the orchestration settings' retrieval_top_k / retrieval_min_score
        self.min_score = min_score
        self._docs: list[tuple[str, str]] | None = None

    def _scope(self) -> list[tuple[str, str]]:
        if callable(self.conversation_id):  # resolved on first use (chat passes a lookup)
            self.conversation_id = self.conversation_id()
        if self._docs is None:
            self._docs = [
                (str(pk), lang)
                for pk, lang in scope_documents(user_id=self.user_id, conversation_id=self.conversation_id).values_list(
                    "pk", "language"
                )
            ]
        return self._docs

    @property
    def available(self) -> bool:
        return bool(self._scope())

    def search(self, query: str, *, limit: int = 5):
        docs = self._scope()
        if not docs:
            return []
        result = hybrid_search(doc_ids=[d for d, _l in docs], query=query, languages={lang for _d, lang in docs},
                               limit=self.top_k or limit, min_score=self.min_score)  # fmt: skip
        return [
            Passage(
                text=h.content,
                title=h.filename,
                url=h.url,
                document_id=h.document_id,
                chunk_id=str(h.chunk_id),
                score=h.score,
                page=h.page,
            )  # fmt: skip
            for h in result.hits
        ]
