"""Seed one tenant with 10,000 conversations and 1,000,000 messages for the chat benchmarks.

Usage: .venv/bin/python bench/chat_seed.py [--conversations 10000] [--per-conversation 100] [--users 10]

Uses its own embedded servers under .data/bench (or DATABASE_URL/REDIS_URL). Creates (or
recreates) the tenant ``chatbench`` (host chatbench.localhost) whose owner
bench-owner@chatbench.example (password bench-password-123) owns 1/users of the conversations.
Rows are generated inside PostgreSQL (INSERT ... SELECT over generate_series) in batches, with
the secondary indexes of chat_message dropped during the load and rebuilt afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.models import User  # noqa: E402
from tenants.models import Tenant  # noqa: E402
from tenants.services import tenant_create, tenant_provision  # noqa: E402

SUBDOMAIN = "chatbench"
OWNER = "bench-owner@chatbench.example"
PASSWORD = "bench-password-123"

# A vocabulary of everyday and technical words, so that the search queries match realistically.
WORDS = """
the a to and of in is for that you it with on this be are as can your or how what at from by an will
if not have use do we more about which one all when there so also need make like time get some would
should first new other may then them into each only over most good such just these best way work
database index query postgres python django error exception stack trace deploy server docker container
kubernetes cluster memory cache redis latency throughput request response api endpoint json schema
migration tenant user account password login session cookie token stream event worker queue celery
task retry timeout backoff circuit breaker provider model prompt answer question summary translate
document upload pdf chunk embedding vector search ranking relevance keyword sentence paragraph
holiday travel flight hotel booking budget price invoice payment subscription plan refund customer
recipe bread flour oven bake dough yeast sugar butter cheese tomato garden plant water soil sun
running training marathon heart rate sleep diet protein vitamin doctor health insurance contract
law court tax accountant salary employee manager meeting calendar email report presentation slide
chart table spreadsheet formula budget forecast revenue growth marketing campaign audience brand
ljubljana slovenia maribor alps lake bled coast river bridge castle museum concert festival weekend
""".split()

QUERIES = [
    "database index",
    "python error",
    "holiday travel",
    "bake bread",
    "redis cache latency",
    "invoice payment",
    "kubernetes cluster",
    "marathon training",
    "tax accountant",
    "docker container",
    "embedding vector search",
    "lake bled",
    "celery retry timeout",
    "subscription refund",
    "django migration",
    "sleep diet",
    "contract law",
    "marketing campaign budget",
    "pdf document upload",
    "flight hotel booking",
]


def _tenant() -> Tenant:
    existing = Tenant.objects.filter(subdomain=SUBDOMAIN).first()
    if existing is not None:
        existing.delete(force_drop=True)
    tenant = tenant_create(
        name="Chat bench", subdomain=SUBDOMAIN, owner_email=OWNER, owner_password=PASSWORD, provision=False
    )
    tenant = tenant_provision(tenant_id=tenant.pk)
    assert tenant.ready, tenant.provisioning_error
    return tenant


def _users(n: int) -> list[str]:
    ids = [str(User.objects.get(email=OWNER).pk)]
    for i in range(1, n):
        user = User.objects.create_user(email=f"bench-user{i}@chatbench.example", password=PASSWORD)
        ids.append(str(user.pk))
    return ids


INDEXES = [
    "chat_msg_conv_created",
    "chat_msg_parent_created",
    "chat_msg_created",
    "chat_msg_search",
    "chat_msg_open",
    "chat_msg_mistakes",
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--per-conversation", type=int, default=100)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--batch", type=int, default=500, help="conversations per INSERT batch")
    args = parser.parse_args()

    started = time.perf_counter()
    call_command("bootstrap", verbosity=0)
    tenant = _tenant()
    with schema_context(tenant.schema_name), connection.cursor() as cur:
        users = _users(args.users)
        cur.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ANY(%s)", [INDEXES]
        )
        index_defs = [r[0] for r in cur.fetchall()]
        for name in INDEXES:
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')
        cur.execute("ALTER TABLE chat_message SET (autovacuum_enabled = false)")
        n, per = args.conversations, args.per_conversation
        # Conversation c (0..n-1): owner users[c % U]; its messages k (0..per-1) alternate user/assistant,
        # each the child of the previous one (one branch), ids derived from (c, k) so parents are computable.
        cur.execute(
            """
            INSERT INTO chat_conversation (id, user_id, title, title_is_custom, settings, is_starred, archived_at,
                deleted_at, last_message_at, last_message_preview, total_tokens, message_count, meta_data,
                created_at, updated_at, import_key)
            SELECT md5('conv:' || c)::uuid, (%(users)s::uuid[])[1 + c %% %(u)s],
                   initcap(w[1 + (c * 7) %% cardinality(w)] || ' ' || w[1 + (c * 13) %% cardinality(w)] || ' '
                           || w[1 + (c * 29) %% cardinality(w)]),
                   false, '{}'::jsonb, c %% 50 = 0, NULL, NULL,
                   now() - make_interval(mins => c * 7), '', (%(per)s / 2) * 180, %(per)s,
                   '{"providers_used": ["offline"], "orchestration_strategy": "single_provider"}'::jsonb,
                   now() - make_interval(mins => c * 7 + %(per)s), now(), ''
            FROM generate_series(0, %(n)s - 1) AS c, (SELECT %(words)s::text[] AS w) AS v
            """,
            {"users": users, "u": len(users), "per": per, "n": n, "words": WORDS},
        )
        print(f"conversations: {n} in {time.perf_counter() - started:.1f}s", flush=True)
        for start in range(0, n, args.batch):
            t0 = time.perf_counter()
            cur.execute(
                """
                INSERT INTO chat_message (id, conversation_id, user_id, parent_id, role, content_type, content, html,
                    status, error_message, model_name, prompt_tokens, completion_tokens, cost, processing_time_ms,
                    meta_data, context_documents, search_vector, is_mistake, mistake_note, rating, deleted_at,
                    finalized_at, created_at, updated_at, generation_attempts)
                SELECT id, conv, CASE WHEN k %% 2 = 0 THEN usr END, parent,
                       CASE WHEN k %% 2 = 0 THEN 'user' ELSE 'assistant' END, 'text', body, '<p>' || body || '</p>',
                       'complete', '', CASE WHEN k %% 2 = 1 THEN 'offline' ELSE '' END,
                       CASE WHEN k %% 2 = 1 THEN 120 ELSE 0 END, CASE WHEN k %% 2 = 1 THEN 60 ELSE 0 END, 0,
                       CASE WHEN k %% 2 = 1 THEN 900 END, '{}'::jsonb, '[]'::jsonb,
                       to_tsvector('english', body) || array_to_tsvector(ARRAY['~u' || replace(usr::text, '-', '')]),
                       false, '', NULL, NULL, ts, ts, ts, 0
                FROM (
                    SELECT md5('msg:' || c || ':' || k)::uuid AS id, md5('conv:' || c)::uuid AS conv,
                           (%(users)s::uuid[])[1 + c %% %(u)s] AS usr,
                           CASE WHEN k > 0 THEN md5('msg:' || c || ':' || (k - 1))::uuid END AS parent, k,
                           now() - make_interval(mins => c * 7 + %(per)s - k) AS ts,
                           (SELECT string_agg(ww.w[1 + floor(random() * cardinality(ww.w))::int], ' ')
                              FROM generate_series(1, CASE WHEN k %% 2 = 0 THEN 8 + (c + k) %% 20
                                                           ELSE 40 + (c * k) %% 60 END) AS g(i),
                                   (SELECT %(words)s::text[] AS w) AS ww) AS body
                    FROM generate_series(%(start)s, %(stop)s - 1) AS c, generate_series(0, %(per)s - 1) AS k
                ) AS rows
                """,
                {
                    "users": users,
                    "u": len(users),
                    "per": per,
                    "start": start,
                    "stop": min(n, start + args.batch),
                    "words": WORDS,
                },
            )
            done = min(n, start + args.batch)
            print(f"messages: {done * per:>9,} ({time.perf_counter() - t0:.1f}s for this batch)", flush=True)
        t0 = time.perf_counter()
        cur.execute(
            """
            UPDATE chat_conversation c SET current_leaf_id = md5('msg:' || s.c || ':' || (%(per)s - 1))::uuid,
                   last_message_preview = left(m.content, 140)
            FROM generate_series(0, %(n)s - 1) AS s(c)
            JOIN chat_message m ON m.id = md5('msg:' || s.c || ':' || (%(per)s - 1))::uuid
            WHERE c.id = md5('conv:' || s.c)::uuid
            """,
            {"per": per, "n": n},
        )
        for definition in index_defs:
            cur.execute(definition)
        cur.execute("ALTER TABLE chat_message SET (autovacuum_enabled = true)")
        cur.execute("VACUUM ANALYZE chat_message")
        cur.execute("ANALYZE chat_conversation")
        cur.execute("SELECT count(*) FROM chat_message")
        total = cur.fetchone()[0]
        print(f"indexes + leaves: {time.perf_counter() - t0:.1f}s", flush=True)
    print(
        f"Seeded {n:,} conversations and {total:,} messages in {time.perf_counter() - started:.0f}s "
        f"(tenant {SUBDOMAIN}, {len(users)} users; bench user {OWNER})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
