"""Server time of the tenant admin's dashboard (/admin/) with 1,000 people and 100,000 conversations.

Usage: .venv/bin/python bench/admin_dashboard.py [--seed] [--requests 200]

--seed first runs bench/chat_seed.py (tenant ``chatbench``: 100,000 conversations of 4 messages),
then adds people up to 1,000 (no password hashing: unusable passwords), spreads the conversations
over them, marks 500 answers as mistakes and 50 answers of the last week as failed, and adds a
provider credential. Without --seed it measures the tenant as it is.

Measures in process (Django test client, DEBUG off, no network): p50/p95 of GET /admin/ signed in
as the bench owner, and the number of SQL queries of one request. Own embedded servers under
.data/bench (or DATABASE_URL/REDIS_URL).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stats import pct  # noqa: E402

os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.chat_settings"
os.environ.setdefault("DJANGO_DEBUG", "false")

PEOPLE = 1_000
CONVERSATIONS = 100_000


def seed(*, conversations: bool = True) -> None:
    if conversations:
        subprocess.run(
        [sys.executable, str(ROOT / "bench" / "chat_seed.py"), "--conversations", str(CONVERSATIONS),
         "--per-conversation", "4", "--users", "10", "--batch", "2000"],
            check=True,
        )  # fmt: skip
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django_tenants.utils import schema_context

    from accounts.models import User
    from bench.chat_seed import SUBDOMAIN
    from orchestration.models import ProviderCredential
    from orchestration.services import credential_save
    from tenants.models import Tenant

    tenant = Tenant.objects.get(subdomain=SUBDOMAIN)
    with schema_context(tenant.schema_name):
        have = User.objects.count()
        unusable = make_password(None)
        User.objects.bulk_create(
            [
                User(id=uuid.uuid4(), email=f"person{i}@chatbench.example", password=unusable, name=f"Person {i}")
                for i in range(have, PEOPLE)
            ],
            batch_size=500,
        )
        with connection.cursor() as cur:
            cur.execute(
                """
                WITH people AS (SELECT array_agg(id ORDER BY email) AS ids FROM accounts_user)
                UPDATE chat_conversation c
                   SET user_id = people.ids[1 + (abs(hashtext(c.id::text)) % cardinality(people.ids))]
                  FROM people
                """
            )
            cur.execute(
                """
                UPDATE chat_message SET is_mistake = true, mistake_note = 'Wrong figure in the answer'
                 WHERE id IN (SELECT id FROM chat_message WHERE role = 'assistant' ORDER BY id LIMIT 500)
                """
            )
            cur.execute(
                """
                UPDATE chat_message SET status = 'error', error_message = 'No language model could answer'
                 WHERE id IN (SELECT id FROM chat_message WHERE role = 'assistant'
                               AND created_at > now() - interval '7 days' ORDER BY id LIMIT 50)
                """
            )
            cur.execute("ANALYZE chat_conversation")
            cur.execute("ANALYZE chat_message")
            cur.execute("ANALYZE accounts_user")
        owner = User.objects.filter(role=User.Role.OWNER).first()
        if not ProviderCredential.objects.filter(provider="openai").exists():
            credential_save(
                credential=ProviderCredential(provider="openai", model_names=["gpt-4o"], default_model="gpt-4o"),
                user=owner,
                api_key="sk-bench-not-a-real-key-000",
            )
    print(f"seeded: {PEOPLE:,} people, {CONVERSATIONS:,} conversations", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", action="store_true")
    parser.add_argument("--seed-people", action="store_true", help="only the part after bench/chat_seed.py")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-cache", action="store_true", help="read every figure on every request")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import User
    from bench.chat_seed import SUBDOMAIN
    from chat.models import Conversation
    from config.dashboard import dashboard_figures
    from tenants.models import Tenant

    if args.no_cache:
        from django.conf import settings

        settings.ADMIN_DASHBOARD_CACHE_SECONDS = 0
    if args.seed or args.seed_people:
        seed(conversations=not args.seed_people)
    tenant = Tenant.objects.get(subdomain=SUBDOMAIN)
    with schema_context(tenant.schema_name):
        owner = User.objects.filter(role=User.Role.OWNER).first()
        people, conversations = User.objects.count(), Conversation.objects.count()
        client = Client(HTTP_HOST=f"{SUBDOMAIN}.localhost")
        client.force_login(owner)
    connection.set_schema_to_public()
    for _i in range(5):  # warm-up: templates, translations, connection
        assert client.get("/admin/").status_code == 200
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get("/admin/")
    assert b'data-figure="people"' in response.content, "not the dashboard"
    with schema_context(tenant.schema_name):
        t0 = time.perf_counter()
        figures = dashboard_figures()
        selector_ms = (time.perf_counter() - t0) * 1000
    times, stock = [], []
    for _i in range(args.requests):  # interleaved with a stock admin page of the same chrome
        t0 = time.perf_counter()
        response = client.get("/admin/")
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
        t0 = time.perf_counter()
        assert client.get("/admin/accounts/").status_code == 200
        stock.append((time.perf_counter() - t0) * 1000)
    print(f"tenant {SUBDOMAIN}: {people:,} people, {conversations:,} conversations")
    print(
        f"dashboard figures: people {figures.people}, conversations {figures.conversations}, "
        f"mistakes {figures.mistakes_total}, providers {[p.provider for p in figures.providers]} "
        f"(selector alone: {selector_ms:.1f} ms)"
    )
    print(
        f"GET /admin/ x{args.requests}: p50 {pct(times, 0.5):.1f} ms, p95 {pct(times, 0.95):.1f} ms, "
        f"max {max(times):.1f} ms; {len(statements)} SQL statements per request"
    )
    print(f"GET /admin/accounts/ (stock app index, same chrome): p50 {pct(stock, 0.5):.1f} ms, "
          f"p95 {pct(stock, 0.95):.1f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
