"""Hybrid retrieval: PostgreSQL full text and pgvector nearest neighbours, fused by reciprocal rank.

``ConversationRetriever`` is what orchestration's ``Retriever`` interface gets from chat (DESIGN
§3: chat -> orchestration -> documents). Its scope: the documents linked to the conversation
(uploaded in it or attached from the library) that belong to the asking user, plus the
workspace's active knowledge base; ready documents only, and only chunks embedded with the
current model (vectors of two models are never compared).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from core.textsearch import config_for, prepare

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
    vector_path: str = ""  # "exact" (narrow scope) or "hnsw"


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


_UUID_LIST = re.compile(r"[0-9A-Fa-f-]+(?:,[0-9A-Fa-f-]+)*")


def _uuid_array(doc_ids: list[str]) -> str:
    """The document ids as one PostgreSQL array literal, sent as one text parameter (``%s::uuid[]``).

    psycopg adapts a Python list element by element: for a whole tenant's 1,000 ids, twice per query,
    that was 6 of the 7.7 ms of client CPU per query (PERFORMANCE.md "Session 6"); one string is
    0.15 ms. Only hex digits, dashes and the separating commas get in (no quote, brace or comma
    inside an element: nothing can add an element to the array); the cast checks each is a UUID."""
    text = ",".join(doc_ids)
    if not _UUID_LIST.fullmatch(text):
        raise ValueError("document ids must be UUIDs")
    return "{" + text + "}"


def _vector_literal(vec) -> str:
    return "[" + ",".join(f"{float(x):.7g}" for x in vec) + "]"


# Full text: ranking reads every matching row, and a GIN bitmap scan cannot stop early, so one
# question word present in most chunks (a bitmap of 100,000 rows over the whole tenant, every row of
# a narrow scope) dominated the query, and the scan LIMIT kept an arbitrary first 2,000 matches,
# where the passage matching the question's rare word may not be. So the OR query leaves out the
# words found in more than DOCUMENTS_FTS_MAX_TERM_FREQUENCY of the tenant's chunks (as stop words
# are left out, and as IDF would weigh them near zero): PostgreSQL's own per-column lexeme
# statistics (pg_stats.most_common_elems, kept by ANALYZE/autovacuum in each tenant's schema; no
# table of ours to maintain). When every word of the question is that frequent, it asks for all of
# them (AND) instead. Below DOCUMENTS_FTS_FREQUENT_MIN_CHUNKS chunks in the tenant the statistics say
# little (a handful of documents) and nothing is left out. At most DOCUMENTS_FTS_SCAN_LIMIT matches
# are ranked either way (latency stays bounded). Measured in PERFORMANCE.md (run 4).
_FREQUENT = """(SELECT coalesce(array_agg(m.e), '{{}}') FROM pg_stats s,
    unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS m(e, f)
    WHERE s.schemaname = current_schema() AND s.tablename = 'documents_documentchunk'
      AND s.attname = 'search_vector' AND m.f > {max_freq:f}
      AND (SELECT reltuples FROM pg_class WHERE oid = 'documents_documentchunk'::regclass) >= {min_rows:d})"""

# The question's lexemes OR-ed, those frequent in the tenant left out (all of them AND-ed if none is left).
_RARE_OR_ALL_TSQUERY = """(SELECT CASE WHEN bool_or(NOT x.frequent)
        THEN to_tsquery('simple', string_agg(quote_literal(x.l), ' | ') FILTER (WHERE NOT x.frequent))
        ELSE to_tsquery('simple', coalesce(string_agg(quote_literal(x.l), ' & '), '')) END
    FROM (SELECT l, coalesce(l = ANY(fr.lexemes), false) AS frequent
          FROM unnest(tsvector_to_array(to_tsvector(%s::regconfig, %s))) AS l, fr) x)"""

_FTS = """
WITH fr AS MATERIALIZED (SELECT {frequent} AS lexemes), q AS MATERIALIZED (SELECT {tsquery} AS q)
SELECT m.id, ts_rank(m.search_vector, q.q) AS rank
FROM q, LATERAL (
    SELECT c.id, c.search_vector FROM documents_documentchunk c
    WHERE c.document_id = ANY(%s::uuid[]) AND c.search_vector @@ q.q LIMIT %s
) m
ORDER BY rank DESC, m.id LIMIT %s
"""

# Vectors: a narrow scope (at most DOCUMENTS_EXACT_MAX_CHUNKS chunks, from the documents' stored
# chunk counts) is searched exactly: the distance is computed for each of its chunks (read through
# the document index, vectors in the heap row since migration 0003) and sorted, which is exact and,
# up to ~15,000 chunks, about as cheap as an HNSW walk that skips most of what it visits (PERFORMANCE.md:
# on an idle machine 10,000 chunks p95 30 ms exact; 20,000 chunks 46-50 ms exact against 30-42 ms for a
# wider walk with recall 0.96-0.98, session 7). The `+ 0`
# makes the ORDER BY an expression no index provides, so the planner cannot pick the HNSW index.
# Wider scopes walk the HNSW graph with the document filter inside the scan
# (hnsw.iterative_scan = relaxed_order keeps recall under the filter). The graph is built over
# half-precision copies of the vectors (migration 0004: ``embedding::halfvec(<dim>)``, half the bytes
# per visited node, same recall at ~40 % less CPU), so the HNSW path orders by that same expression;
# the distance selected (and re-sorted by: relaxed order) is the full-precision one.
_VEC_ORDER = {"hnsw": "c.embedding::halfvec({dim}) <=> %s::halfvec({dim})",
              "exact": "(c.embedding::vector({dim}) <=> %s::vector({dim})) + 0"}  # fmt: skip

_VEC = """
SELECT c.id, c.embedding::vector({dim}) <=> %s::vector({dim}) AS distance
FROM documents_documentchunk c
WHERE c.embedding_dimension = {dim} AND c.embedding_model = %s AND c.document_id = ANY(%s::uuid[])
ORDER BY {order} LIMIT %s
"""


def vector_path(scope_chunks: int | None) -> str:
    """ "exact" for a scope of at most DOCUMENTS_EXACT_MAX_CHUNKS chunks, "hnsw" otherwise (or unknown)."""
    limit = int(getattr(settings, "DOCUMENTS_EXACT_MAX_CHUNKS", 20_000))
    return "exact" if scope_chunks is not None and scope_chunks <= limit else "hnsw"


def _frequent_sql() -> str:
    return _FREQUENT.format(max_freq=float(getattr(settings, "DOCUMENTS_FTS_MAX_TERM_FREQUENCY", 0.05)),
                            min_rows=int(getattr(settings, "DOCUMENTS_FTS_FREQUENT_MIN_CHUNKS", 10_000)))  # fmt: skip


def _fts(cursor, doc_ids: list[str], query: str, languages: set[str], limit: int,
         scope_chunks: int | None = None) -> list[tuple[int, float]]:  # fmt: skip
    tsquery, params = _tsquery(query, languages)
    scan = int(getattr(settings, "DOCUMENTS_FTS_SCAN_LIMIT", 2000))
    sql = _FTS.format(frequent=_frequent_sql(), tsquery=tsquery)
    cursor.execute(sql, [*params, _uuid_array(doc_ids), scan, limit])
    return [(r[0], float(r[1])) for r in cursor.fetchall()]


def _vectors(cursor, doc_ids: list[str], vector, model: str, dim: int, limit: int,
             scope_chunks: int | None = None) -> list[tuple[int, float]]:  # fmt: skip
    lit = _vector_literal(vector)
    cursor.execute(_settings_sql(limit), [scope_chunks, scope_chunks])
    order = _VEC_ORDER[vector_path(scope_chunks)].format(dim=int(dim))
    cursor.execute(_VEC.format(dim=int(dim), order=order), [lit, model, _uuid_array(doc_ids), lit, limit])
    rows = sorted(((r[0], float(r[1])) for r in cursor.fetchall()), key=lambda r: r[1])  # relaxed order
    return [(cid, 1.0 - dist) for cid, dist in rows]


# One round trip for the whole hybrid query (PERFORMANCE.md "Documents and retrieval"): the two
# planner settings (local to this statement's implicit transaction, or to the caller's), then one
# statement with both candidate sets, fused by RRF in SQL, joined to the chunk and document rows of
# the top ``limit`` only. Sent as one simple-query string (psycopg's client-side binding).
#
# ``hnsw.ef_search`` follows the scope's share of the tenant's chunks: a filtered walk keeps only the
# visited chunks that pass the filter, so the narrower the share, the wider the walk must be for the
# same recall (PERFORMANCE.md, session 7: at ef 300 recall@10 0.96 over the whole tenant but 0.93 at
# 15-20 %; at 20 % 0.96 at ef 400 and 0.98 at 600). The share is the scope's stored chunk count over
# PostgreSQL's own row estimate of the tenant's chunk table (``pg_class.reltuples``, kept by
# ANALYZE/autovacuum), read by the settings' SELECT itself: no extra round trip.
_SETTINGS = """SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', (
    SELECT (CASE {tiers} ELSE {ef} END)::text
    FROM (SELECT %s::float8 / greatest(c.reltuples, %s::float8, 1) AS share
          FROM pg_class c WHERE c.oid = 'documents_documentchunk'::regclass) s
), true)"""


def _settings_sql(candidates: int) -> str:
    """The settings' SELECT: ef_search by the scope's share (two parameters: the scope's chunk count,
    twice; None: unknown, the base ef_search)."""
    ef = max(int(getattr(settings, "DOCUMENTS_HNSW_EF_SEARCH", 100)), candidates)
    narrow = sorted(getattr(settings, "DOCUMENTS_HNSW_EF_SEARCH_NARROW", ()), key=lambda t: t[0])
    tiers = " ".join(f"WHEN s.share < {float(share)!r} THEN {max(int(n), ef)}" for share, n in narrow)
    return _SETTINGS.format(tiers=tiers or "WHEN false THEN 0", ef=ef)


_HYBRID = """
WITH fr AS MATERIALIZED (SELECT {frequent} AS lexemes),
q AS MATERIALIZED (SELECT {tsquery} AS q),
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
        ORDER BY {order} LIMIT %s
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
    """The tsquery expression (reads the ``fr`` CTE's frequent lexemes) and its parameters."""
    configs: dict[str, str] = {}
    for lang in languages or {""}:
        cfg = config_for(lang)
        configs.setdefault(cfg, prepare(query, lang))
    parts, params = [], []
    for cfg, text in configs.items():
        parts.append(_RARE_OR_ALL_TSQUERY)
        params += [cfg, text]
    return " || ".join(parts), params


def _hybrid(cursor, doc_ids: list[str], query: str, languages: set[str], vector, model: str, dim: int,
            candidates: int, limit: int, min_score: float, scope_chunks: int | None = None) -> list[tuple]:  # fmt: skip
    """``scope_chunks``: how many chunks the documents hold (their stored counts); None if unknown."""
    sql, params = _hybrid_sql(doc_ids, query, languages, vector, model, dim, candidates, limit, min_score,
                              scope_chunks)  # fmt: skip
    cursor.execute(sql, params)
    cursor.nextset()  # past the settings' row
    return cursor.fetchall()


def _hybrid_sql(doc_ids: list[str], query: str, languages: set[str], vector, model: str, dim: int, candidates: int,
                limit: int, min_score: float, scope_chunks: int | None = None) -> tuple[str, list]:  # fmt: skip
    """The settings' SELECT and the hybrid statement as one string, and its parameters."""
    tsquery, ts_params = _tsquery(query, languages)
    lit = _vector_literal(vector)
    scan = int(getattr(settings, "DOCUMENTS_FTS_SCAN_LIMIT", 2000))
    path = vector_path(scope_chunks)
    order = _VEC_ORDER[path].format(dim=int(dim))
    sql = _settings_sql(candidates) + ";\n" + _HYBRID.format(frequent=_frequent_sql(), tsquery=tsquery, dim=int(dim),
                                             k=int(RRF_K), order=order)  # fmt: skip
    ids = _uuid_array(doc_ids)
    params = [scope_chunks, scope_chunks, *ts_params, ids, scan, candidates, lit, model, ids, lit, candidates,
              min_score, limit]  # fmt: skip
    return sql, params


def hybrid_search(*, doc_ids: list[str], query: str, languages: set[str], limit: int = 5, embedder=None,
                  candidates: int | None = None, min_score: float | None = None,
                  scope_chunks: int | None = None) -> Result:  # fmt: skip
    """Rank chunks of ``doc_ids`` for ``query``: top-N of full text and of vectors, fused by RRF.

    ``scope_chunks``: the documents' stored chunk counts summed (picks exact or HNSW vector search
    and whether frequent words are left out of the full-text query); None: treated as large."""
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
                       float(min_score or 0.0), scope_chunks)  # fmt: skip
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
    return Result(hits, timings, vector_path(scope_chunks))


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
        self._docs: list[tuple[str, str, int]] | None = None

    def _scope(self) -> list[tuple[str, str, int]]:
        if callable(self.conversation_id):  # resolved on first use (chat passes a lookup)
            self.conversation_id = self.conversation_id()
        if self._docs is None:
            scope = scope_documents(user_id=self.user_id, conversation_id=self.conversation_id)
            self._docs = [(str(pk), lang, n) for pk, lang, n in scope.values_list("pk", "language", "chunk_count")]
        return self._docs

    @property
    def available(self) -> bool:
        return bool(self._scope())

    def search(self, query: str, *, limit: int = 5):
        docs = self._scope()
        if not docs:
            return []
        result = hybrid_search(doc_ids=[d for d, _l, _n in docs], query=query, languages={la for _d, la, _n in docs},
                               limit=self.top_k or limit, min_score=self.min_score,
                               scope_chunks=sum(n for _d, _l, n in docs))  # fmt: skip
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
