"""Tenant provisioning: cloning the template schema vs running every migration, side by side.

Usage: .venv/bin/python bench/provisioning.py [--runs N]
       .venv/bin/python bench/provisioning.py --sequential N
--sequential: N tenants provisioned one after another in this one process (as the worker does),
kept until the end; prints the time of tenants 1, 50, 100, 200, ... and the database backend's
memory, which grew by ~16 MB per clone before the clone functions were created once (issue 12 §6).
Uses its own embedded servers under .data/bench (or DATABASE_URL/REDIS_URL). Prints p50/p95
per method and the ratio measured in this run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stats import pct  # noqa: E402

os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from tenants.models import Tenant  # noqa: E402
from tenants.services import (  # noqa: E402
    public_tenant_ensure,
    template_schema_ensure,
    tenant_create,
    tenant_provision,
)


def one(method: str, i: int) -> float:
    tenant = tenant_create(
        name=f"Bench {method} {i}",
        subdomain=f"bench-{method}-{i}",
        owner_email=f"o{i}@bench.example",
        owner_password="bench-password-123",
        provision=False,
    )
    started = time.perf_counter()
    tenant = tenant_provision(tenant_id=tenant.pk, method=method)
    elapsed = time.perf_counter() - started
    assert tenant.ready, tenant.provisioning_error
    tenant.delete(force_drop=True)
    return elapsed


def backend_memory_mb() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(total_bytes) / 1048576.0 FROM pg_backend_memory_contexts")
        return float(cursor.fetchone()[0])


def sequential(n: int) -> None:
    marks = {1, n} | {m for m in (50, 100, 200, 500, 1000, 2000, 5000, 10000) if m <= n}
    times: list[float] = []
    print(f"sequential provisioning of {n} tenants in one process, {os.cpu_count()} cores")
    try:
        for i in range(1, n + 1):
            tenant = tenant_create(
                name=f"Bench seq {i}",
                subdomain=f"bench-seq-{i}",
                owner_email=f"o{i}@bench.example",
                owner_password="bench-password-123",
                provision=False,
            )
            started = time.perf_counter()
            tenant = tenant_provision(tenant_id=tenant.pk)
            times.append(time.perf_counter() - started)
            assert tenant.ready, tenant.provisioning_error
            if i in marks:
                window = times[max(0, i - 10) : i]
                print(
                    f"  tenant {i:6d}: {times[-1] * 1000:6.0f} ms  (median of last {len(window)}:"
                    f" {statistics.median(window) * 1000:6.0f} ms)  backend memory {backend_memory_mb():7.1f} MB",
                    flush=True,
                )
    finally:
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(subdomain__startswith="bench-seq-"):
            tenant.delete(force_drop=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sequential", type=int, default=0, metavar="N")
    args = parser.parse_args()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    template_schema_ensure()
    public_tenant_ensure()
    Tenant.objects.filter(subdomain__startswith="bench-").delete()
    connection.set_schema_to_public()
    if args.sequential:
        sequential(args.sequential)
        return
    results: dict[str, list[float]] = {"clone": [], "migrate": []}
    for i in range(args.runs):  # interleaved so that both see the same machine state
        for method in ("clone", "migrate"):
            results[method].append(one(method, i))
    print(f"tenant provisioning, {args.runs} runs each, {os.cpu_count()} cores")
    for method, values in results.items():
        print(f"  {method:8s} p50 {statistics.median(values) * 1000:7.0f} ms   p95 {pct(values, 0.95) * 1000:7.0f} ms")
    ratio = statistics.median(results["migrate"]) / statistics.median(results["clone"])
    print(f"  clone is {ratio:.1f}x faster than migrations (median)")


if __name__ == "__main__":
    try:
        main()
    finally:
        from django.conf import settings

        from core import embedded

        embedded.stop_services(settings.DATA_DIR, names=embedded.started_by_me(settings.DATA_DIR))
