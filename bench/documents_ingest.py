"""Ingestion of a 200-page PDF end to end (validate, store, extract, chunk, embed, ready), in pages/s,
with the local embedder and with the fake OpenAI embedder; then the time from upload to the first
answer that cites the file (offline provider, through the orchestration engine and the real
retriever).

Usage: .venv/bin/python bench/documents_ingest.py [--pages 200] [--words 300] [--skip-local] [--local-pages N]

Own embedded servers under .data/bench (or DATABASE_URL); tenant ``docbench``. Runs the
processing service in this process (what the ``documents`` worker runs); the fake OpenAI server
listens on 127.0.0.1. DOCUMENTS_EMBED_THREADS (default 1) sets the local model's threads.
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

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from bench.stats import pct  # noqa: E402

WORDS = (
    "the report describes revenue growth in the northern region and the hiring plan for engineers while the "
    "office relocation schedule depends on the budget forecast and the contract with the landlord customers "
    "asked about delivery times refunds and the warranty policy for tools batteries and chargers"
).split()
PLANTED = "The warranty for the Zephyr X200 cordless drill lasts exactly thirty-six months from purchase."


def _pdf(pages: int, words: int, salt: str) -> bytes:
    from documents.tests.helpers import pdf_bytes

    rng = random.Random(salt)
    texts = [" ".join(rng.choice(WORDS) for _ in range(words)) for _ in range(pages)]
    texts[pages // 2] = texts[pages // 2][:200] + " " + PLANTED + " " + salt
    return pdf_bytes(texts)


def _run(label: str, owner, data: bytes, tenant) -> dict:
    from documents import services
    from documents.models import Document
    from documents.retrieval import ConversationRetriever
    from orchestration import engine

    conversation_id = uuid.uuid4()
    t0 = time.perf_counter()
    result = services.document_upload(owner=owner, name=f"{label}.pdf", data=data, scope="conversation",
                                      conversation_id=conversation_id)  # fmt: skip
    t_up = time.perf_counter()
    status = services.document_process(document_id=result.document.pk)
    t_ready = time.perf_counter()
    doc = Document.objects.get(pk=result.document.pk)
    assert status == "ready", (status, doc.error_message)
    retriever = ConversationRetriever(user_id=owner.pk, conversation_id=conversation_id, top_k=5)
    request = engine.Request(transcript=[engine.Turn("user", "How long is the warranty of the Zephyr drill?")],
                             strategy="rag_enhanced")  # fmt: skip
    first_source = None
    cited = False
    for event in engine.run(request, retriever=retriever):
        if event.type == "sources" and first_source is None:
            first_source = time.perf_counter()
            cited = any(s.get("document_id") == str(doc.pk) for s in event.data["sources"])
    t_done = time.perf_counter()
    pages = doc.page_count or 0
    timings = doc.processing_metadata.get("timings", {})
    return {
        "label": label, "pages": pages, "chunks": doc.chunk_count, "upload_s": t_up - t0, "process_s": t_ready - t_up,
        "pages_per_s": pages / (t_ready - t0), "timings": timings, "cited": cited,
        "to_first_citation_s": (first_source or t_done) - t0, "to_answer_s": t_done - t0, "model": doc.embedding_model,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--skip-local", action="store_true")
    parser.add_argument("--local-pages", type=int, default=0, help="pages for the local run (default: --pages)")
    args = parser.parse_args()
    from accounts.models import User
    from bench.documents_retrieval import _tenant
    from documents.embedders.local import LocalEmbedder
    from orchestration.testing.fake_llm import FakeLLM

    tenant = _tenant()
    connection.set_tenant(tenant)
    settings.MEDIA_ROOT = str(ROOT / ".data" / "bench" / "media")
    settings.OPENAI_API_KEY = settings.ANTHROPIC_API_KEY = settings.PERPLEXITY_API_KEY = ""  # offline answers
    results = []
    with schema_context(tenant.schema_name):
        owner = User.objects.get(email="bench@docbench.example")
        if not args.skip_local:
            settings.DOCUMENTS_EMBEDDER = "local"
            pages = args.local_pages or args.pages
            results.append(_run("local", owner, _pdf(pages, args.words, uuid.uuid4().hex), tenant))
            emb = LocalEmbedder()
            lat = []
            for i in range(30):
                t = time.perf_counter()
                emb.embed_query(f"how long is the warranty of drill number {i}?")
                lat.append((time.perf_counter() - t) * 1000)
            print(f"local query embedding: p50 {pct(lat, 0.5):.1f} ms, p95 {pct(lat, 0.95):.1f} ms")
        with FakeLLM() as fake:
            settings.DOCUMENTS_EMBEDDER = "openai"
            settings.DOCUMENTS_OPENAI_EMBEDDING_KEY = "sk-bench"
            settings.DOCUMENTS_OPENAI_EMBEDDING_BASE_URL = fake.openai_base_url
            results.append(_run("fake-openai", owner, _pdf(args.pages, args.words, uuid.uuid4().hex), tenant))
    for r in results:
        print(f"\n{r['label']} ({r['model']}): {r['pages']} pages, {r['chunks']} chunks")
        print(f"  upload (validate + store)  {r['upload_s'] * 1000:8.1f} ms")
        print(f"  processing to ready        {r['process_s']:8.2f} s   {r['timings']}")
        print(f"  end to end                 {r['pages_per_s']:8.1f} pages/s")
        print(f"  upload -> first citation   {r['to_first_citation_s']:8.2f} s  (cited: {r['cited']})")
        print(f"  upload -> answer complete  {r['to_answer_s']:8.2f} s")


if __name__ == "__main__":
    main()
