"""Chat page timings on the seeded tenant (run bench/chat_seed.py first).

Usage: .venv/bin/python bench/chat_pages.py [--requests 200] [--concurrency 50] [--seconds 15] [--workers 2]

1. Server time, in process (Django test client, no network): p50/p95 of the conversation list,
   the conversation page (last 50 of 100 messages, random conversations of the bench user) and
   search over 20 realistic queries.
2. Requests/s with N concurrent keep-alive clients against uvicorn (ASGI, as deployed): the
   conversation page next to a trivial view (/bench/ping/, same middleware) in the same run, the
   ratio of the two, the server's CPU per request (uvicorn and its workers, from /proc) and the
   load average: on a shared machine the CPU per request moves less than the rates.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stats import pct  # noqa: E402

os.environ.setdefault("CHORUS_DATA_DIR", str(ROOT / ".data" / "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.chat_settings"
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.chat_seed import OWNER, QUERIES, SUBDOMAIN  # noqa: E402
from chat.models import Conversation  # noqa: E402
from tenants.models import Tenant  # noqa: E402

HOST = f"{SUBDOMAIN}.localhost"


def timed(client: Client, urls: list[str]) -> list[float]:
    out = []
    for url in urls:
        t0 = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def line(name: str, ms: list[float]) -> str:
    return f"{name:<34} n={len(ms):<4} p50={pct(ms, 0.5):7.1f} ms  p95={pct(ms, 0.95):7.1f} ms  max={max(ms):7.1f} ms"


async def _load(port: int, path: str, cookie: str, concurrency: int, seconds: float) -> tuple[int, list[float], int]:
    request = (f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nCookie: {cookie}\r\nConnection: keep-alive\r\n\r\n").encode()
    done = 0
    errors = 0
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client():
        nonlocal done, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            writer.write(request)
            status = await reader.readline()
            length = 0
            while True:
                header = await reader.readline()
                if header in (b"\r\n", b""):
                    break
                name, _, value = header.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - t0) * 1000)
            if b" 200 " in status:
                done += 1
            else:
                errors += 1
        writer.close()

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return done, latencies, errors


def _load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children (uvicorn's workers, PostgreSQL's backends)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


_server_cpu = _tree_cpu


def _service_pids() -> dict[str, int]:
    """The embedded PostgreSQL's postmaster and Redis of this data directory (their pid files)."""
    data = Path(os.environ["CHORUS_DATA_DIR"])
    pids = {}
    for name, path in (("PostgreSQL", data / "pg" / "postmaster.pid"), ("Redis", data / "redis" / "redis.pid")):
        try:
            pids[name] = int(path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return pids


def _machine_busy() -> float:
    """CPU seconds the whole machine spent busy (all cores, /proc/stat: everything but idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _cpu_snapshot(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of each party to the load: the server, this load generator, the database,
    Redis, and the whole machine."""
    own = os.times()
    snap = {"server": _tree_cpu(server_pid), "load generator": own.user + own.system}
    for name, pid in _service_pids().items():
        snap[name] = _tree_cpu(pid)
    snap["machine"] = _machine_busy()
    return snap


def throughput(cookie: str, conv_paths: list[str], args) -> list[str]:
    port = 8765
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.chat_settings", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    out = []
    rates: list[float] = []
    cpu_rows: list[dict[str, float]] = []
    try:
        import socket

        for _ in range(900):  # up to ~90 s: two workers start slowly on a busy machine
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for name, path in (
            ("trivial view /bench/ping/", "/bench/ping/"),
            ("conversation page", conv_paths[0]),
            ("trivial view /bench/ping/ (again)", "/bench/ping/"),
        ):
            asyncio.run(_load(port, path, cookie, args.concurrency, 2))  # warm-up
            before = _cpu_snapshot(server.pid)
            done, lat, errors = asyncio.run(_load(port, path, cookie, args.concurrency, args.seconds))
            after = _cpu_snapshot(server.pid)
            per = {k: (after[k] - before[k]) * 1000 / max(done + errors, 1) for k in after}
            cpu_rows.append(per)
            rates.append(done / args.seconds)
            out.append(
                f"{name:<34} {done / args.seconds:8.1f} req/s  p50={pct(lat, 0.5):6.1f} ms  "
                f"p95={pct(lat, 0.95):6.1f} ms  errors={errors}  ({args.concurrency} clients, {args.seconds:.0f} s)"
                f"  server CPU {per['server']:5.1f} ms/request  load {_load_average()}"
            )
            available = (os.cpu_count() or 1) * 1000 * args.seconds / max(done + errors, 1)
            parties = ", ".join(f"{k} {v:.2f}" for k, v in per.items() if k != "machine")
            out.append(
                f"    CPU ms/request: {parties}; whole machine {per['machine']:.2f}"
                f" (of {available:.2f} available on {os.cpu_count()} cores)"
            )
        trivial = (rates[0] + rates[2]) / 2
        out.append(f"conversation page / mean trivial view: {100 * rates[1] / trivial:.1f} %" if trivial else "")
        # On a CPU-bound machine the rates' ratio follows the CPU each request costs everyone, not the server alone.
        for k in cpu_rows[1]:
            mean = (cpu_rows[0][k] + cpu_rows[2][k]) / 2
            if cpu_rows[1][k]:
                out.append(f"    CPU ratio, mean trivial / page, {k:<15} {100 * mean / cpu_rows[1][k]:5.1f} %")
    finally:
        server.terminate()
        server.wait(timeout=20)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-throughput", action="store_true")
    args = parser.parse_args()

    tenant = Tenant.objects.get(subdomain=SUBDOMAIN)
    with schema_context(tenant.schema_name):
        owner = User.objects.get(email=OWNER)
        conversations = list(Conversation.objects.filter(user=owner).values_list("pk", flat=True))
        client = Client(HTTP_HOST=HOST)
        client.force_login(owner)
        cursor = connection.cursor()
        cursor.execute("SELECT count(*) FROM chat_conversation")
        n_conv = cursor.fetchone()[0]
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = 'chat_message' "
            "AND relnamespace = current_schema()::regnamespace"
        )
        n_msg = cursor.fetchone()[0]
    connection.set_schema_to_public()
    rng = random.Random(7)
    conv_paths = [f"/chat/{rng.choice(conversations)}/" for _ in range(args.requests)]
    search_paths = [f"/chat/search/?q={q.replace(' ', '+')}" for q in QUERIES] * 5

    print(
        f"Tenant {SUBDOMAIN}: {n_conv:,} conversations, ~{n_msg:,} messages; bench user owns {len(conversations):,}"
        f" conversations. Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, DEBUG={settings.DEBUG}."
        f" Load average {_load_average()}."
    )
    timed(client, ["/chat/"] * 20 + conv_paths[:20] + search_paths[:20])  # warm-up
    print("\nServer time (in process, Django test client):")
    print(line("conversation list /chat/", timed(client, ["/chat/"] * args.requests)))
    print(line("conversation page (last 50 msgs)", timed(client, conv_paths)))
    # The same pages again: completed messages now come from the fragment cache (chat/fragments.py).
    print(line("conversation page, visited again", timed(client, conv_paths)))
    print(line("search (20 queries x 5)", timed(client, search_paths)))
    # CPU of this process per request (time.process_time): less sensitive than wall time to other
    # processes on a shared machine; the database and Redis servers' own CPU is not included.
    for name, paths in (
        ("trivial view /bench/ping/", ["/bench/ping/"] * len(conv_paths)),
        ("conversation page, again", conv_paths),
    ):
        c0 = time.process_time()
        timed(client, paths)
        print(f"  CPU per request, {name:<26} {(time.process_time() - c0) * 1000 / len(paths):6.1f} ms")
    print(f"  load average {_load_average()}")
    per_query = {q: timed(client, [f"/chat/search/?q={q.replace(' ', '+')}"] * 3) for q in QUERIES}
    slowest = sorted(per_query.items(), key=lambda kv: -statistics.median(kv[1]))[:3]
    print("  slowest queries: " + ", ".join(f"'{q}' {statistics.median(ms):.0f} ms" for q, ms in slowest))
    if not args.no_throughput:
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        print(f"\nThroughput (uvicorn, {args.workers} workers, same machine as the load generator):")
        for row in throughput(cookie, conv_paths, args):
            print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
