"""Billing: the cost of the quota check per question, and webhook handling under disorder.

Usage: .venv/bin/python bench/billing_quota.py [--questions 2000] [--events 1000]

Uses its own embedded servers under .data/bench (or DATABASE_URL/REDIS_URL), a bench workspace
(created once, kept), and the fake Stripe server (billing.testing.fake_stripe) in a thread, all on
127.0.0.1.

1. ``quota_reserve`` as chat calls it (inside the transaction that stores a question; here the
   transaction is rolled back so every call sees the same counters): p50/p95/max over N calls,
   and the statements it runs; with the plan's session limit (the tenant's session lock taken by
   the limits statement, then chat's count of open answers) and without it, in alternating blocks.
2. Webhooks: M subscription events of one customer (created, updated x N, cancelled, renewed via a
   new subscription...) are generated at the fake Stripe, shuffled, 20 % delivered twice, POSTed
   to the webhook view (Django test client on the public host, real signature check) and then
   processed by the task function. Reports p50/p95 of the HTTP answer and of the task, how many
   events were applied, and whether the final subscription equals Stripe's.
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

from bench.stats import pct  # noqa: E402

os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DATABASE_POOL_MAX"] = "0"
os.environ.setdefault("DJANGO_DEBUG", "false")  # DEBUG logs every Django query (CPU, memory): not what is deployed

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from billing import stripe_api  # noqa: E402
from billing.models import StripeEvent, Subscription  # noqa: E402
from billing.services import plans_sync_to_stripe, quota_reserve, stripe_event_process  # noqa: E402
from billing.testing.fake_stripe import FakeStripe  # noqa: E402
from tenants.models import Tenant  # noqa: E402
from tenants.services import public_tenant_ensure, template_schema_ensure, tenant_create, tenant_provision  # noqa: E402

SUBDOMAIN = "bench-billing"


def ms(values):
    p50, p95, top = pct(values, 0.5) * 1000, pct(values, 0.95) * 1000, max(values) * 1000
    return f"p50 {p50:.2f} ms · p95 {p95:.2f} ms · max {top:.2f} ms"


def workspace() -> Tenant:
    from django.core.management import call_command

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    template_schema_ensure()
    public_tenant_ensure()
    tenant = Tenant.objects.filter(subdomain=SUBDOMAIN).first()
    if tenant is None or not tenant.ready:
        if tenant is not None:
            tenant.delete(force_drop=True)
        tenant = tenant_create(
            name="Bench billing",
            subdomain=SUBDOMAIN,
            owner_email="o@bench-billing.example",
            owner_password="bench-password-123",
            provision=False,
        )
        tenant = tenant_provision(tenant_id=tenant.pk)
    return tenant


def bench_round_trip(n: int) -> None:
    """The floor under any statement on this machine right now (load varies: compare with it)."""
    times = []
    for _ in range(n):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        times.append(time.perf_counter() - started)
    print(f"SELECT 1 round trip ({n}): {ms(times)}")


def _search_path_set() -> None:
    """django-tenants sets the search path before a transaction's first statement (and again after a
    rollback): chat's transaction has run its own statements before quota_reserve, so the bench does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _quota_calls(tenant: Tenant, n: int, **kwargs) -> tuple[list[float], list[float], list[str]]:
    """``n`` calls (after 50 warm-up) of quota_reserve, each in a transaction that commits, as chat's
    does; the block's counters are deleted after it, so every block starts from the same counts.

    Not rolled back (as this bench did until session 5): psycopg forgets every prepared statement
    on a ROLLBACK (it deallocates them, in case the rollback undid a DDL), so each rolled-back call
    prepared and planned billing's two statements again, ~2 ms more than the committed path pays."""
    from billing.models import UsageCounter

    user = uuid.uuid4()
    times, cpu = [], []
    for i in range(n + 50):
        with transaction.atomic():
            _search_path_set()  # as in chat, whose transaction has queried the tenant's schema before
            started, started_cpu = time.perf_counter(), time.process_time()
            quota_reserve(user_id=user, user_email="u@bench.example", **kwargs)
            elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        if i >= 50:
            times.append(elapsed)
            cpu.append(elapsed_cpu)
    UsageCounter.objects.filter(tenant_id=tenant.pk).delete()
    reset_queries()
    with transaction.atomic():
        _search_path_set()
        with CaptureQueriesContext(connection) as queries:
            quota_reserve(user_id=user, user_email="u@bench.example", **kwargs)
        transaction.set_rollback(True)
    return times, cpu, [q["sql"].split()[0] for q in queries.captured_queries]


def bench_quota(tenant: Tenant, n: int) -> None:
    """quota_reserve as chat calls it (with the count of open sessions under the session lock), and
    without sessions (as for a plan without a session limit), alternating in blocks of 100 so the
    machine's load falls on both alike."""
    from billing import quotas
    from billing.models import UsageCounter
    from chat.admission import sessions_open

    # every run starts from the same counters: none for the bench workspace, and no dead versions
    # or index entries left by an earlier run (this is the bench's own database)
    UsageCounter.objects.filter(tenant_id=tenant.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM billing_usagecounter")
    connection.set_schema(tenant.schema_name)
    limits = quotas.limits_for(schema=tenant.schema_name)
    print(
        f"bench workspace on plan {limits.plan_code}: questions {limits.question_limit}, "
        f"tokens/day {limits.token_limit_daily}, concurrent sessions {limits.session_limit}"
    )
    runs: dict[str, tuple[list[float], list[float]]] = {"with sessions": ([], []), "without sessions": ([], [])}
    statements: dict[str, list[str]] = {}
    block = 100
    for start in range(0, n, block):
        size = min(block, n - start)
        for name, kwargs in (("with sessions", {"sessions_open": sessions_open}), ("without sessions", {})):
            times, cpu, statements[name] = _quota_calls(tenant, size, **kwargs)
            runs[name][0].extend(times)
            runs[name][1].extend(cpu)
    connection.set_schema_to_public()
    for name, (times, cpu) in runs.items():
        print(f"quota_reserve {name} ({len(times)} calls, blocks of {block} after 50 warm-up each): {ms(times)}")
        print(f"  CPU of this process per call (time.process_time; less sensitive to other load): {ms(cpu)}")
        django_statements = ", ".join(statements[name]) or "-"
        print(f"  statements per call: 2 prepared (limits [+ session lock], counters) + Django's: {django_statements}")


def bench_webhooks(tenant: Tenant, n_events: int) -> None:
    fake = FakeStripe(webhook_secret="whsec_bench")
    settings.STRIPE_SECRET_KEY = "sk_test_bench"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_bench"
    settings.STRIPE_API_BASE = fake.base_url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    stripe_api.apply_api_base()
    try:
        from billing.models import Plan

        Plan.objects.update(stripe_product_id="", stripe_price_id="", stripe_overage_price_id="", stripe_meter_id="")
        plans_sync_to_stripe()  # a new fake Stripe each run
        Tenant.objects.filter(pk=tenant.pk).update(stripe_customer_id="")
        tenant.refresh_from_db()
        from billing.models import Plan
        from billing.services import checkout_start

        url = checkout_start(
            tenant=tenant, plan=Plan.objects.get(code="pro"), success_url="http://x/", cancel_url="http://x/"
        )
        events = fake.complete_checkout(url.rsplit("/", 1)[-1], trial_days=0)
        sub_id = events[0]["data"]["object"]["id"]
        rng = random.Random(10)
        while len(events) < n_events:
            roll = rng.random()
            if roll < 0.6:
                events.append(fake.subscription_update(sub_id, cancel_at_period_end=rng.random() < 0.5))
            elif roll < 0.8:
                events.extend(fake.renew(sub_id))
            elif roll < 0.9:
                events.extend(fake.fail_payment(sub_id))
            else:
                events.append(fake.event("customer.updated", {"id": tenant.stripe_customer_id, "object": "customer"}))
        events = events[:n_events]
        deliveries = events + rng.sample(events, k=n_events // 5)  # 20 % duplicates
        rng.shuffle(deliveries)
        client = Client(HTTP_HOST=settings.BASE_DOMAIN)
        StripeEvent.objects.filter(event_id__in=[e["id"] for e in events]).delete()
        http = []
        for event in deliveries:
            payload, header = fake.signed(event)
            started = time.perf_counter()
            response = client.post(
                "/billing/stripe/webhook/", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
            )
            http.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        rows = list(
            StripeEvent.objects.filter(event_id__in=[e["id"] for e in events])
            .order_by("?")
            .values_list("pk", flat=True)
        )
        task = []
        for pk in rows:  # tasks in random order too
            started = time.perf_counter()
            stripe_event_process(event_pk=pk)
            task.append(time.perf_counter() - started)
        applied = StripeEvent.objects.filter(pk__in=rows).values_list("attempts", flat=True)
        stripe_sub = fake.objects["subscription"][sub_id]
        sub = Subscription.objects.select_related("plan").get(tenant=tenant)
        want = {"active": "active", "past_due": "past_due", "trialing": "trialing", "canceled": "cancelled"}[
            stripe_sub["status"]
        ]
        stripe_end = stripe_sub["items"]["data"][0]["current_period_end"]
        same = (
            sub.status == want
            and sub.cancel_at_period_end == stripe_sub["cancel_at_period_end"]
            and int(sub.current_period_end.timestamp()) == stripe_end
        )
        print(f"webhooks: {len(deliveries)} deliveries of {len(events)} events (20 % duplicates), random order")
        print(f"  HTTP answer: {ms(http)}")
        print(f"  task:        {ms(task)}")
        print(f"  event rows: {len(rows)} (unique ids), each processed at most once: {max(applied) == 1}")
        print(f"  final state equals Stripe's: {same} ({sub.status}, cancel_at_period_end={sub.cancel_at_period_end})")
    finally:
        fake.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    tenant = workspace()
    reset_queries()
    bench_round_trip(args.questions)
    bench_quota(tenant, args.questions)
    if args.events:
        bench_webhooks(tenant, args.events)
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
