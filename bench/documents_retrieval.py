"""Retrieval over 100,000 chunks in one tenant: p50/p95 of the hybrid query, and recall@10 of the
filtered HNSW search against an exact search with the same filters.

Usage: .venv/bin/python bench/documents_retrieval.py [--chunks 100000] [--docs 1000] [--queries 200]
       [--keep]   (reuse the loaded tenant on a second run)
       [--variants before,after] [--scopes 1.0,0.2,0.1,0.01] [--ef 300] [--recall-queries 50]

Each variant (VARIANTS below) runs the same questions over the same scopes; a table row per
variant and scope: hybrid p50/p95 (wall), the two sides timed apart, recall@10 of the vector side
against an exact scan with the same filter, the PostgreSQL backend's CPU per query (from /proc)
and this process's, and the load average before and after (the machine is shared).

Own embedded servers under .data/bench (or DATABASE_URL). Tenant ``docbench``. Vectors are
synthetic but shaped like sentence embeddings (384 dimensions, unit length, drawn around 2,000
topic centres), loaded with binary COPY; texts are drawn from a small vocabulary so that the full
text side has realistic posting lists. The query path is documents.retrieval's own SQL (full
text top-40 and vectors top-40, fused by RRF), timed without the query embedding (the local
model embeds a query in a few ms, measured separately).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from bench.stats import pct  # noqa: E402

SUBDOMAIN = "docbench"
DIM = 384
MODEL = "bench:synthetic-384"
WORDS = (
    "warranty drill battery charger invoice contract employee holiday salary report budget forecast revenue "
    "customer refund policy shipping delivery order product price discount training safety manual install "
    "repair service support ticket account password login server database backup restore network printer "
    "garancija vrtalnik baterija polnilnik račun pogodba zaposleni dopust plača poročilo proračun napoved "
    "prihodek stranka vračilo politika dostava naročilo izdelek cena popust usposabljanje varnost navodila"
).split()


# A Zipf-distributed vocabulary of 20,000 words (the named ones most frequent), so posting lists
# look like real text: a few words in most passages, most words in few.
VOCAB = np.array(WORDS + [f"w{i:05d}" for i in range(20_000 - len(WORDS))])


def _zipf(rng, shape):
    ranks = rng.zipf(1.15, size=shape) - 1
    return np.where(ranks < len(VOCAB), ranks, rng.integers(0, len(VOCAB), size=shape))


def _tenant():
    from django.core.management import call_command

    from tenants.models import Tenant
    from tenants.services import public_tenant_ensure, template_schema_ensure, tenant_create, tenant_provision

    call_command("bootstrap", verbosity=0)  # migrations (shared + template), as make run does
    template_schema_ensure()
    public_tenant_ensure()
    tenant = Tenant.objects.filter(subdomain=SUBDOMAIN).first()
    if tenant is None:
        tenant = tenant_create(name="Docs bench", subdomain=SUBDOMAIN, owner_email="bench@docbench.example",
                               owner_password="bench-password-123", provision=False)  # fmt: skip
        tenant = tenant_provision(tenant_id=tenant.pk)
    return tenant


LATENT = int(os.environ.get("BENCH_LATENT_DIM", "48"))  # 0: isotropic noise in all 384 dimensions


def _centres():
    c = np.random.default_rng(7).normal(size=(2000, DIM)).astype(np.float32)
    return c / np.linalg.norm(c, axis=1, keepdims=True)


def _basis():
    """A fixed random 384 x LATENT orthonormal basis: vectors live near a LATENT-dimensional subspace,
    as sentence embeddings do (their intrinsic dimension is far below 384)."""
    q, _r = np.linalg.qr(np.random.default_rng(99).normal(size=(DIM, max(LATENT, 1))))
    return q.astype(np.float32)


def _embed_like(rng, base, n):
    if not LATENT:
        v = base + rng.normal(size=(n, DIM)).astype(np.float32) / np.sqrt(DIM)
    else:
        z = base[:LATENT] + rng.normal(size=(n, LATENT)).astype(np.float32) / np.sqrt(LATENT)
        v = z @ _basis().T + 0.05 * rng.normal(size=(n, DIM)).astype(np.float32) / np.sqrt(DIM)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _load(n_chunks: int, n_docs: int, seed: int = 7) -> None:
    from accounts.models import User
    from documents.models import Document

    rng = np.random.default_rng(seed)
    owner = User.objects.get(email="bench@docbench.example")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE documents_documentchunk, documents_documentlink, documents_document CASCADE")
        for name in ("documents_chunk_hnsw_384", "documents_chunk_hnsw_half_384"):  # built once after the load
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    docs = [
        Document(
            owner=owner,
            scope=Document.Scope.LIBRARY,
            original_filename=f"doc-{i:05d}.pdf",
            file_size=1,
            mime_type="application/pdf",
            content_hash=uuid.uuid4().hex,
            status=Document.Status.READY,
            language="en",
            embedding_model=MODEL,
            embedding_dimension=DIM,
            chunk_count=n_chunks // n_docs,
        )  # fmt: skip
        for i in range(n_docs)
    ]
    Document.objects.bulk_create(docs, batch_size=2000)
    centres = _centres()
    per_doc = n_chunks // n_docs
    t = time.perf_counter()
    raw = connection.connection
    cols = ("document_id, chunk_index, content, token_count, start_position, end_position, page, embedding, "
            "embedding_model, embedding_dimension, created_at")  # fmt: skip
    with raw.cursor() as cur, cur.copy(f"COPY documents_documentchunk ({cols}) FROM STDIN") as copy:
        from django.utils import timezone

        now = timezone.now()
        words = VOCAB
        for d_i, doc in enumerate(docs):
            topic = rng.integers(0, len(centres))
            base = centres[topic]
            vecs = _embed_like(rng, base, per_doc)
            texts = np.apply_along_axis(" ".join, 1, words[_zipf(rng, (per_doc, 40))])
            for c_i in range(per_doc):
                lit = "[" + ",".join(np.char.mod("%.5f", vecs[c_i])) + "]"
                copy.write_row((doc.pk, c_i, str(texts[c_i]), 60, c_i * 300, c_i * 300 + 280, c_i // 3 + 1, lit, MODEL,
                                DIM, now))  # fmt: skip
            if d_i % 200 == 0:
                print(f"  loaded {d_i * per_doc:,} chunks", flush=True)
    raw.commit()
    print(f"COPY {n_chunks:,} chunks: {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE documents_documentchunk SET search_vector = to_tsvector('english', content)")
        print(f"tsvector: {time.perf_counter() - t:.1f} s", flush=True)
        cursor.execute("SET maintenance_work_mem = '512MB'")
        # migration 0004's halfvec index (what retrieval's HNSW path uses) and, for the "vector-index"
        # variant (session 5's query, A/B in one run), 0002's vector one
        graphs = (("documents_chunk_hnsw_half_384", "embedding::halfvec(384)", "halfvec_cosine_ops"),
                  ("documents_chunk_hnsw_384", "embedding::vector(384)", "vector_cosine_ops"))  # fmt: skip
        for name, expr, ops in graphs:
            t = time.perf_counter()
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
            cursor.execute(
                f"CREATE INDEX {name} ON documents_documentchunk USING hnsw (({expr}) {ops}) "
                "WITH (m = 16, ef_construction = 64) WHERE embedding_dimension = 384"
            )
            print(f"HNSW build ({name}): {time.perf_counter() - t:.1f} s", flush=True)
        cursor.execute("VACUUM ANALYZE documents_documentchunk")
    return centres


def _query_vector(rng, centres):
    return _embed_like(rng, centres[rng.integers(0, len(centres))], 1)[0].tolist()


def _exact(cursor, doc_ids, vec, k=10):
    """The reference: an exact scan with the same filters (no index can serve the ORDER BY)."""
    from documents.retrieval import _vector_literal

    lit = _vector_literal(vec)
    cursor.execute("SET LOCAL enable_indexscan = off")
    cursor.execute("SET LOCAL enable_bitmapscan = off")
    cursor.execute(
        "SELECT id FROM documents_documentchunk WHERE embedding_dimension = 384 AND embedding_model = %s "
        "AND document_id = ANY(%s::uuid[]) ORDER BY embedding::vector(384) <=> %s::vector(384) LIMIT %s",
        [MODEL, doc_ids, lit, k],
    )
    return [r[0] for r in cursor.fetchall()]


# Variants measured side by side in one run (the machine is shared: only same-run comparisons mean
# much). "before": what session 4 shipped (every scope through HNSW, every question word in the OR
# query); "after": the scope's chunk count picks exact search (narrow) or HNSW (wide), and over wide
# scopes the words in more than DOCUMENTS_FTS_MAX_TERM_FREQUENCY of the chunks leave the OR query.
VARIANTS = {
    "before": {"scope_chunks": False, "DOCUMENTS_FTS_MAX_TERM_FREQUENCY": 1.0, "DOCUMENTS_HNSW_EF_SEARCH": 200},
    "after": {"scope_chunks": True},
    # session 6's rule: exact up to 20,000 chunks, one ef_search whatever the scope's share
    "session6": {"scope_chunks": True, "DOCUMENTS_EXACT_MAX_CHUNKS": 20_000, "DOCUMENTS_HNSW_EF_SEARCH_NARROW": ()},
    "after-hnsw": {"scope_chunks": True, "DOCUMENTS_EXACT_MAX_CHUNKS": 0},  # HNSW even when narrow
    "after-exact": {"scope_chunks": True, "DOCUMENTS_EXACT_MAX_CHUNKS": 10**9},  # exact even when wide
    # session 5's HNSW path: the graph over vector(384) (0002's index) instead of halfvec(384) (0004's)
    "vector-index": {"scope_chunks": True, "hnsw_order": "c.embedding::vector({dim}) <=> %s::vector({dim})"},
}


def _backend_cpu_ms(cursor) -> tuple[int, float]:
    """(pid, user+system CPU ms) of this connection's PostgreSQL backend (same machine: /proc)."""
    cursor.execute("SELECT pg_backend_pid()")
    pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return pid, (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _load_avg() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--ef", default="300", help="hnsw.ef_search values to measure, comma-separated")
    parser.add_argument("--recall-queries", type=int, default=50)
    parser.add_argument("--variants", default="before,after", help=f"of {', '.join(VARIANTS)}")
    parser.add_argument("--scopes", default="1.0,0.2,0.1,0.01", help="shares of the documents in scope")
    args = parser.parse_args()
    from django.conf import settings

    from documents import retrieval
    from documents.retrieval import _fts, _hybrid, _vectors, vector_path

    hnsw_order = retrieval._VEC_ORDER["hnsw"]

    tenant = _tenant()
    with schema_context(tenant.schema_name):
        from documents.models import Document, DocumentChunk

        if not args.keep or DocumentChunk.objects.count() < args.chunks * 0.99:
            centres = _load(args.chunks, args.docs)
        else:
            centres = _centres()
        Document.objects.filter(chunk_count=0).update(chunk_count=args.chunks // args.docs)  # runs before 5
        counts = {str(pk): n for pk, n in Document.objects.values_list("pk", "chunk_count")}
        all_docs = [str(pk) for pk in counts]
        keys = (
            "DOCUMENTS_FTS_MAX_TERM_FREQUENCY",
            "DOCUMENTS_EXACT_MAX_CHUNKS",
            "DOCUMENTS_HNSW_EF_SEARCH",
            "DOCUMENTS_HNSW_EF_SEARCH_NARROW",
        )
        defaults = {k: getattr(settings, k) for k in keys}
        print(f"load average at start {_load_avg()}; exact search up to {settings.DOCUMENTS_EXACT_MAX_CHUNKS:,} "
              f"chunks; frequent words: in > {settings.DOCUMENTS_FTS_MAX_TERM_FREQUENCY:.0%} of chunks")  # fmt: skip
        rows = []
        for ef in [int(e) for e in args.ef.split(",")]:
            defaults["DOCUMENTS_HNSW_EF_SEARCH"] = ef
            for share in [float(x) for x in args.scopes.split(",")]:
                # the same scopes, vectors and questions for every variant (seeded per scope)
                py_rng, rng = random.Random(5), np.random.default_rng(11)
                n_docs = max(1, int(len(all_docs) * share))
                work = []
                for _q in range(args.queries):
                    doc_ids = all_docs if share == 1.0 else py_rng.sample(all_docs, n_docs)
                    vec = _query_vector(rng, centres)
                    # two words as frequent as in the texts, two rarer ones (what questions ask about)
                    picks = [*_zipf(rng, (2,)), *rng.integers(0, len(VOCAB), 2)]
                    work.append((doc_ids, vec, " ".join(str(VOCAB[i]) for i in picks)))
                for name in args.variants.split(","):
                    variant = VARIANTS[name]
                    for key, value in defaults.items():
                        setattr(settings, key, variant.get(key, value))
                    retrieval._VEC_ORDER["hnsw"] = variant.get("hnsw_order", hnsw_order)
                    lat, recalls, fts_ms, vec_ms = [], [], [], []
                    with connection.cursor() as cursor:
                        for doc_ids, vec, query in work[:5]:  # warm the connection and the caches
                            _hybrid(cursor, doc_ids, query, {"en"}, vec, MODEL, DIM, 40, 5, 0.0)
                        pid, cpu0 = _backend_cpu_ms(cursor)
                    client0, load0 = time.process_time(), _load_avg()
                    for doc_ids, vec, query in work:
                        chunks = sum(counts[d] for d in doc_ids) if variant["scope_chunks"] else None
                        # what hybrid_search sends: one query string, fused and joined in SQL, top 5 rows back
                        t0 = time.perf_counter()
                        with connection.cursor() as cursor:
                            _hybrid(cursor, doc_ids, query, {"en"}, vec, MODEL, DIM, 40, 5, 0.0, chunks)
                        lat.append((time.perf_counter() - t0) * 1000)
                    with connection.cursor() as cursor:
                        pid1, cpu1 = _backend_cpu_ms(cursor)
                    cpu = (cpu1 - cpu0) / len(work) if pid1 == pid else float("nan")
                    client = (time.process_time() - client0) * 1000 / len(work)
                    for doc_ids, vec, query in work[: args.recall_queries]:  # the sides apart, and recall
                        chunks = sum(counts[d] for d in doc_ids) if variant["scope_chunks"] else None
                        with transaction.atomic(), connection.cursor() as cursor:
                            t1 = time.perf_counter()
                            _fts(cursor, doc_ids, query, {"en"}, 40, chunks)
                            t2 = time.perf_counter()
                            found = _vectors(cursor, doc_ids, vec, MODEL, DIM, 40, chunks)
                            t3 = time.perf_counter()
                            cursor.execute("SHOW hnsw.ef_search")  # what the scope's share picked
                            efv = cursor.fetchone()[0]
                        fts_ms.append((t2 - t1) * 1000)
                        vec_ms.append((t3 - t2) * 1000)
                        with transaction.atomic(), connection.cursor() as cursor:
                            exact = set(_exact(cursor, doc_ids, vec))
                        got = {cid for cid, _s in found[:10]}
                        recalls.append(len(got & exact) / max(1, len(exact)))
                    label = f"{share:.0%} of documents ({n_docs * (args.chunks // args.docs):,} chunks)"
                    path = vector_path(sum(counts[d] for d in work[0][0]) if variant["scope_chunks"] else None)
                    row = (f"| {name} | {label} | ef {efv} | {path} | {pct(lat, 0.5):.1f} | {pct(lat, 0.95):.1f} | "
                           f"{pct(fts_ms, 0.5):.1f} / {pct(fts_ms, 0.95):.1f} | {pct(vec_ms, 0.5):.1f} / "
                           f"{pct(vec_ms, 0.95):.1f} | {sum(recalls) / len(recalls):.3f} / {min(recalls):.2f} | "
                           f"{cpu:.1f} | {client:.1f} | {load0} → {_load_avg()} |")  # fmt: skip
                    rows.append(row)
                    print(row, flush=True)
        print(
            "\n| variant | scope | ef_search | vector path | hybrid p50 ms | hybrid p95 ms | full text p50 / p95 | "
            "vectors p50 / p95 | recall@10 mean / min | server CPU ms/query | client CPU ms/query | load avg |"
        )
        print("|" + "---|" * 12)
        print("\n".join(rows))


if __name__ == "__main__":
    main()
