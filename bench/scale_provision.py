"""Scale: provision thousands of tenants through the real path (tenant_create + tenant_provision).

Usage:
  .venv/bin/python bench/scale_provision.py --setup
  nice -n 19 ionice -c3 .venv/bin/python bench/scale_provision.py --count 10000 --worker 0 --of 2 &
  nice -n 19 ionice -c3 .venv/bin/python bench/scale_provision.py --count 10000 --worker 1 --of 2 &
  .venv/bin/python bench/scale_provision.py --compare 10   # ddl vs clone, same catalog, same run

--method ddl|clone|migrate (default TENANT_PROVISIONING_METHOD). --compare K provisions K tenants by
each method, alternating (probe-ddl-N / probe-clone-N), prints wall and backend CPU per tenant and
their medians, and deletes them again (the catalog size stays that of the scale-N tenants).

Uses its own embedded PostgreSQL + Redis under .data/scale (CHORUS_DATA_DIR), never the test
cluster, and leaves them running (the other bench/scale_*.py scripts measure the same tenants;
stop them with `bench/scale_provision.py --stop`). Worker K of W provisions tenants i (1..count)
with i % W == K, named scale-00001 ...; tenants already ready are skipped, so a run can be resumed.

Every 100 tenants it prints: tenant number, tenants in the database, this tenant's time, the median
of the last 100, this process's CPU, the PostgreSQL backend's CPU (from /proc), its memory and the
load average; at the end throughput. The owner's password is hashed with MD5 in this process (a
signup's PBKDF2 hash is ~0.3 s of CPU that is not provisioning; the schema path is unchanged).
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

os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "scale"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_POOL_MAX", "2")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from tenants.models import Tenant  # noqa: E402
from tenants.services import (  # noqa: E402
    clone_functions_ensure,
    public_tenant_ensure,
    template_schema_ensure,
    tenant_create,
    tenant_provision,
)

override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()

CLK = os.sysconf("SC_CLK_TCK")


def subdomain(i: int) -> str:
    return f"scale-{i:05d}"


def backend_cpu_s() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / CLK  # utime + stime


def backend_memory_mb() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(total_bytes) / 1048576.0 FROM pg_backend_memory_contexts")
        return float(cursor.fetchone()[0])


def setup() -> None:
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    template_schema_ensure()
    public_tenant_ensure()
    clone_functions_ensure()
    print("setup done: shared schema migrated, template schema ready, clone functions created")


def provision(count: int, worker: int, of: int, every: int, method: str | None, reconnect: int = 0) -> None:
    connection.set_schema_to_public()
    ready = set(
        Tenant.objects.filter(subdomain__startswith="scale-", state=Tenant.State.READY).values_list(
            "subdomain", flat=True
        )
    )
    todo = [i for i in range(1, count + 1) if i % of == worker and subdomain(i) not in ready]
    print(
        f"worker {worker}/{of}: {len(todo)} tenants to provision (up to #{count}), {os.cpu_count()} cores,"
        f" method {method or settings.TENANT_PROVISIONING_METHOD}",
        flush=True,
    )
    times: list[float] = []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for n, i in enumerate(todo, 1):
        if reconnect and n % reconnect == 0:
            connection.close()  # a new database session (run with DATABASE_POOL_MAX=0: no pool to keep it)
        Tenant.objects.filter(subdomain=subdomain(i)).delete()  # a half-done one from an interrupted run
        t0 = time.perf_counter()
        tenant = tenant_create(
            name=f"Scale {i}",
            subdomain=subdomain(i),
            owner_email=f"owner{i}@scale.example",
            owner_password="scale-password-123",
            provision=False,
        )
        t1 = time.perf_counter()
        tenant = tenant_provision(tenant_id=tenant.pk, method=method)
        t2 = time.perf_counter()
        assert tenant.ready, tenant.provisioning_error
        times.append(t2 - t1)
        if n == 1 or n % every == 0 or n == len(todo):
            window = times[-every:]
            total = Tenant.objects.filter(state=Tenant.State.READY).count() - 1  # minus public
            print(
                f"  #{i:5d} tenants={total:5d} provision {times[-1] * 1000:6.0f} ms"
                f" (create {(t1 - t0) * 1000:4.0f} ms) median/{len(window)} {statistics.median(window) * 1000:6.0f} ms"
                f" | proc cpu {time.process_time() - cpu0:7.1f} s backend cpu {backend_cpu_s():7.1f} s"
                f" mem {backend_memory_mb():6.1f} MB | wall {time.perf_counter() - wall0:7.1f} s"
                f" load {' '.join(f'{x:.1f}' for x in os.getloadavg())} | {time.strftime('%H:%M:%S')}",
                flush=True,
            )
    wall = time.perf_counter() - wall0
    if times:
        print(
            f"worker {worker}/{of} done: {len(times)} tenants in {wall:.0f} s = {len(times) / wall:.2f} tenants/s;"
            f" provision median {statistics.median(times) * 1000:.0f} ms,"
            f" process cpu {time.process_time() - cpu0:.0f} s",
            flush=True,
        )


def compare(runs: int) -> None:
    """ddl vs clone at the catalog size of now, alternating, in this one process and session."""
    connection.set_schema_to_public()
    total = Tenant.objects.filter(state=Tenant.State.READY).count() - 1
    print(f"compare at {total} tenants, {runs} of each, load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    results: dict[str, list[tuple[float, float]]] = {"ddl": [], "clone": []}
    tenant_provision(tenant_id=_probe("probe-warm").pk, method="ddl")  # the DDL generated once (pg_dump)
    _probe_drop("probe-warm")
    for n in range(runs):
        for method in ("ddl", "clone") if n % 2 == 0 else ("clone", "ddl"):
            name = f"probe-{method}-{n}"
            tenant = _probe(name)
            c0, w0 = backend_cpu_s(), time.perf_counter()
            tenant = tenant_provision(tenant_id=tenant.pk, method=method)
            wall, cpu = time.perf_counter() - w0, backend_cpu_s() - c0
            assert tenant.ready, tenant.provisioning_error
            results[method].append((wall, cpu))
            print(f"  {name:16s} wall {wall * 1000:6.0f} ms backend cpu {cpu * 1000:6.0f} ms", flush=True)
            _probe_drop(name)
    for method, values in results.items():
        print(
            f"{method:5s}: wall median {statistics.median(v[0] for v in values) * 1000:6.0f} ms,"
            f" backend cpu median {statistics.median(v[1] for v in values) * 1000:6.0f} ms ({len(values)} tenants)"
        )
    print(f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def _probe_drop(name: str) -> None:
    """The probe's schema and rows go (no deletion hooks: a probe has no billing to cancel)."""
    from tenants.services import _drop_schema

    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(subdomain=name):
        _drop_schema(tenant.schema_name)
        tenant.delete()


def _probe(name: str) -> Tenant:
    _probe_drop(name)  # left over from an interrupted run
    return tenant_create(
        name=name,
        subdomain=name,
        owner_email=f"owner@{name}.example",
        owner_password="scale-password-123",
        provision=False,
    )


def curve(paths: list[str]) -> None:
    """Median provisioning time per 100 tenants, from the INFO lines ("provisioned t_scale_N in X s")
    that runs of this script wrote to stderr."""
    import re

    times: dict[int, list[float]] = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            match = re.search(r"provisioned t_scale_(\d+) in ([\d.]+)s", line)
            if match:
                times.setdefault((int(match.group(1)) - 1) // 100, []).append(float(match.group(2)))
    for bucket in sorted(times):
        values = times[bucket]
        print(
            f"  tenants {bucket * 100 + 1:5d}-{bucket * 100 + 100:5d}: {len(values):3d} provisioned,"
            f" median {statistics.median(values):5.2f} s, max {max(values):5.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--stop", action="store_true")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--worker", type=int, default=0)
    parser.add_argument("--of", type=int, default=1)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--method", choices=["ddl", "clone", "migrate"])
    parser.add_argument(
        "--reconnect-every", type=int, default=0, metavar="K", help="a new database session every K tenants"
    )
    parser.add_argument("--compare", type=int, default=0, metavar="K")
    parser.add_argument("--curve", nargs="+", metavar="STDERR_LOG")
    args = parser.parse_args()
    if args.curve:
        curve(args.curve)
        return
    if args.stop:
        from core import embedded

        print(embedded.stop_services(settings.DATA_DIR))
        return
    if args.setup:
        setup()
    if args.count:
        provision(args.count, args.worker, args.of, args.every, args.method, args.reconnect_every)
    if args.compare:
        compare(args.compare)


if __name__ == "__main__":
    main()
