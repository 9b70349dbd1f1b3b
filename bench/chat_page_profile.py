"""Where a revisited conversation page spends its CPU (run bench/chat_seed.py first).

Usage: .venv/bin/python bench/chat_page_profile.py [--requests 200] [--profile] [--top 40]

In process (Django test client, the full middleware stack): visits N random conversations of the
bench user once (fills the caches), then again, and prints for the revisit and for the trivial view
(/bench/ping/, same middleware) side by side: CPU per request (``time.process_time``), SQL
statements and Redis commands per request, and the CPU of each template rendered (inclusive of the
templates it includes). ``--profile`` adds a cProfile of the revisits, sorted by own time.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import os
import pstats
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.chat_settings"
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.getLogger("chorus.request").setLevel(logging.WARNING)  # one line per request: not what is measured

import redis  # noqa: E402
from django.db import connection  # noqa: E402
from django.template import base as template_base  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.chat_seed import OWNER, SUBDOMAIN  # noqa: E402
from chat.models import Conversation  # noqa: E402
from tenants.models import Tenant  # noqa: E402

HOST = f"{SUBDOMAIN}.localhost"
_redis_commands: collections.Counter = collections.Counter()
_template_cpu: collections.Counter = collections.Counter()
_template_depth = [0]


def _count_redis():
    execute = redis.Redis.execute_command

    def counted(self, *args, **options):
        _redis_commands[str(args[0]).upper()] += 1
        return execute(self, *args, **options)

    redis.Redis.execute_command = counted


def _time_templates():
    render = template_base.Template._render

    def timed(self, context):
        t0 = time.process_time()
        try:
            return render(self, context)
        finally:
            _template_cpu[self.origin.template_name or "?"] += time.process_time() - t0

    template_base.Template._render = timed


def visit(client: Client, paths: list[str]) -> None:
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)


def measure(client: Client, name: str, paths: list[str]) -> None:
    _redis_commands.clear()
    _template_cpu.clear()
    with CaptureQueriesContext(connection) as queries:
        c0, w0 = time.process_time(), time.perf_counter()
        visit(client, paths)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    n = len(paths)
    print(
        f"{name:<28} CPU {cpu * 1000 / n:6.2f} ms/request  wall {wall * 1000 / n:6.2f} ms  "
        f"SQL {len(queries) / n:4.1f}  Redis {sum(_redis_commands.values()) / n:4.1f} "
        f"({', '.join(f'{k} {v / n:.1f}' for k, v in sorted(_redis_commands.items()))})  load {os.getloadavg()[0]:.1f}"
    )
    return queries


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true", help="print the statements of one revisit")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    tenant = Tenant.objects.get(subdomain=SUBDOMAIN)
    with schema_context(tenant.schema_name):
        owner = User.objects.get(email=OWNER)
        conversations = list(Conversation.objects.filter(user=owner).values_list("pk", flat=True))
        client = Client(HTTP_HOST=HOST)
        client.force_login(owner)
    connection.set_schema_to_public()
    rng = random.Random(7)
    paths = [f"/chat/{rng.choice(conversations)}/" for _ in range(args.requests)]
    _count_redis()
    visit(client, paths)  # first visits: the caches fill
    visit(client, ["/bench/ping/"] * 20)
    measure(client, "trivial view /bench/ping/", ["/bench/ping/"] * args.requests)
    measure(client, "conversation page, again", paths)
    measure(client, "trivial view /bench/ping/", ["/bench/ping/"] * args.requests)
    _time_templates()
    queries = measure(client, "conversation page, again", paths)
    print("\nCPU per page by template (inclusive of what it includes or extends):")
    for name, cpu in _template_cpu.most_common(15):
        print(f"  {name:<40} {cpu * 1000 / len(paths):6.2f} ms")
    if args.sql:
        per = len(queries) // len(paths)
        for q in queries.captured_queries[-per:]:
            print(f"  {q['time']}s  {q['sql'][:200]}")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        visit(client, paths)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
