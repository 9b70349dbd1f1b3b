"""Scale: a conversation page in tenant 1 vs the last tenant, same run (scale cluster, .data/scale).

Usage: .venv/bin/python bench/scale_chat_page.py [--requests 200] [--touch 300]

Seeds (once) 20 conversations of 100 messages for the owner of scale-00001 and of the last ready
tenant, then requests their conversation pages (each once to warm the fragment cache, then
alternately) through the whole middleware stack (Django test client with the tenant's Host, as
bench/chat_pages.py), and prints p50/p95 and the
queries per request for each, and the first (cold) request of each. --touch K then opens the
conversation list of K different tenants on one database connection (DATABASE_POOL_MAX=1) and
prints the PostgreSQL backend's memory before and after: what a pooled connection that serves
many tenants keeps (catalog caches of every tenant's tables it has touched).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stats import pct  # noqa: E402

os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "scale"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ["DATABASE_POOL_MAX"] = "1"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.models import User  # noqa: E402
from chat.models import Conversation  # noqa: E402
from tenants.models import Tenant  # noqa: E402

CONVERSATIONS, PER = 20, 100


def seed(tenant: Tenant, owner: User) -> list[str]:
    with schema_context(tenant.schema_name), connection.cursor() as cur:
        existing = list(Conversation.objects.filter(user=owner).values_list("pk", flat=True))
        if existing:
            return [str(pk) for pk in existing]
        key = tenant.schema_name
        cur.execute(
            """
            INSERT INTO chat_conversation (id, user_id, title, title_is_custom, settings, is_starred, archived_at,
                deleted_at, last_message_at, last_message_preview, total_tokens, message_count, meta_data,
                import_key, created_at, updated_at)
            SELECT md5(%(key)s || ':conv:' || c)::uuid, %(user)s, 'Conversation ' || c, false, '{}'::jsonb, false,
                   NULL, NULL, now() - make_interval(mins => c), '', 0, %(per)s, '{}'::jsonb, '', now(), now()
            FROM generate_series(0, %(n)s - 1) AS c
            """,
            {"key": key, "user": owner.pk, "per": PER, "n": CONVERSATIONS},
        )
        cur.execute(
            """
            INSERT INTO chat_message (id, conversation_id, user_id, parent_id, role, content_type, content, html,
                status, error_message, model_name, prompt_tokens, completion_tokens, cost, processing_time_ms,
                meta_data, context_documents, search_vector, is_mistake, mistake_note, rating, deleted_at,
                finalized_at, created_at, updated_at, generation_attempts)
            SELECT md5(%(key)s || ':msg:' || c || ':' || k)::uuid, md5(%(key)s || ':conv:' || c)::uuid,
                   CASE WHEN k %% 2 = 0 THEN %(user)s END,
                   CASE WHEN k > 0 THEN md5(%(key)s || ':msg:' || c || ':' || (k - 1))::uuid END,
                   CASE WHEN k %% 2 = 0 THEN 'user' ELSE 'assistant' END, 'text', body, '<p>' || body || '</p>',
                   'complete', '', '', 0, 0, 0, NULL, '{}'::jsonb, '[]'::jsonb, to_tsvector('english', body),
                   false, '', NULL, NULL, ts, ts, ts, 0
            FROM (SELECT c, k, now() - make_interval(mins => c * 200 + %(per)s - k) AS ts,
                         repeat('a sentence of a realistic length about databases and travel ', 4 + k %% 9) AS body
                  FROM generate_series(0, %(n)s - 1) AS c, generate_series(0, %(per)s - 1) AS k) AS rows
            """,
            {"key": key, "user": owner.pk, "per": PER, "n": CONVERSATIONS},
        )
        cur.execute(
            "UPDATE chat_conversation SET current_leaf_id = md5(%s || ':msg:' || substr(title, 14) || ':' || %s)::uuid",
            [key, PER - 1],
        )
        return [str(pk) for pk in Conversation.objects.filter(user=owner).values_list("pk", flat=True)]


def client_for(tenant: Tenant) -> tuple[Client, list[str]]:
    number = int(tenant.subdomain.rsplit("-", 1)[1])
    with schema_context(tenant.schema_name):
        owner = User.objects.get(email=f"owner{number}@scale.example")
        paths = [f"/chat/{pk}/" for pk in seed(tenant, owner)]
        client = Client(HTTP_HOST=f"{tenant.subdomain}.localhost")
        client.force_login(owner)
    connection.set_schema_to_public()
    return client, paths


def get(client: Client, path: str) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        response = client.get(path)
        ms = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return ms, len(queries)


def backend_memory_mb() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(total_bytes) / 1048576.0 FROM pg_backend_memory_contexts")
        return float(cursor.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--touch", type=int, default=0)
    args = parser.parse_args()
    ready = Tenant.objects.filter(subdomain__startswith="scale-", state=Tenant.State.READY).order_by("subdomain")
    first, last = ready.first(), ready.last()
    print(f"{ready.count()} ready tenants; tenant 1 = {first.subdomain}, tenant N = {last.subdomain}")
    clients = {name: client_for(t) for name, t in (("tenant 1", first), ("tenant N", last))}
    for name, (client, paths) in clients.items():
        ms, n = get(client, paths[0])
        print(f"  first request {name}: {ms:6.1f} ms, {n} queries")
    for client, paths in clients.values():  # every page once: both tenants' fragment caches warm alike
        for path in paths:
            get(client, path)
    results: dict[str, list[float]] = {name: [] for name in clients}
    queries: dict[str, int] = {}
    cpu0 = time.process_time()
    for i in range(args.requests):
        for name, (client, paths) in clients.items():  # alternate: both see the same machine
            ms, n = get(client, paths[i % len(paths)])
            results[name].append(ms)
            queries[name] = n
    cpu = (time.process_time() - cpu0) * 1000 / (2 * args.requests)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    for name, ms in results.items():
        print(
            f"  conversation page {name}: n={len(ms)} p50={pct(ms, 0.5):6.1f} ms p95={pct(ms, 0.95):6.1f} ms"
            f" max={max(ms):6.1f} ms, {queries[name]} queries"
        )
    print(f"  CPU of this process per request {cpu:.1f} ms; load {load}")
    if args.touch:
        tenants = list(ready[: args.touch])
        before = backend_memory_mb()
        t0 = time.perf_counter()
        for tenant in tenants:
            response = Client(HTTP_HOST=f"{tenant.subdomain}.localhost").get("/accounts/login/")
            assert response.status_code == 200, (tenant.subdomain, response.status_code)
            with schema_context(tenant.schema_name):
                list(Conversation.objects.all()[:1])
        wall = time.perf_counter() - t0
        print(
            f"  one connection touching {len(tenants)} tenants (login page + a conversation query each):"
            f" backend memory {before:.1f} -> {backend_memory_mb():.1f} MB,"
            f" {wall / len(tenants) * 1000:.1f} ms per tenant"
        )


if __name__ == "__main__":
    main()
