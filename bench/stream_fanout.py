"""Many concurrent SSE streams on one uvicorn process (or N): gaps between events, drops, memory per stream.

    .venv/bin/python bench/stream_fanout.py [--streams 500] [--rate 20] [--seconds 15] [--processes 1] [--json PATH]

What runs (all on 127.0.0.1, all stopped at the end, also on Ctrl-C or an error):
- embedded PostgreSQL and Redis under .data/bench (reused when already running; stopped only if
  this run started them); a bench tenant with ``--streams`` open answers (status ``streaming``,
  one conversation each, written with bulk_create);
- one uvicorn process (config.asgi, as deployed, uvloop + httptools); ``--processes N``: uvicorn
  ``--workers N``, N processes behind the one port (bench/scale_processes.py web runs it for N = 1, 2, 4);
- ``--client-procs`` processes of asyncio SSE clients (httpx AsyncClient), one stream per answer,
  as the browser opens it (GET /chat/m/<id>/stream/ with the session cookie);
- ``--producers`` processes that, once every stream is open, XADD ``delta`` events into each
  answer's Redis stream with chat.streaming.writer.publish (the worker's format) at ``--rate`` events/s per
  stream for ``--seconds``, spread evenly over each 1/rate period, then the ``end`` event.

Figures: streams that ended without ``end`` or failed (target 0); gaps between consecutive events
at the clients (target p95 < 100 ms); producer -> client latency; events delivered vs produced;
uvicorn RSS before and during (per stream = delta / streams); Redis and PostgreSQL connections
(as the servers list them, each counted for the process at its other end); CPU used by each party
(the load generators and the server share the machine's cores). ``--json PATH`` also writes the
figures there (for bench/scale_processes.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--streams", type=int, default=500, help="concurrent SSE streams (default 500)")
    parser.add_argument("--rate", type=float, default=20, help="events per second per stream (default 20)")
    parser.add_argument("--seconds", type=float, default=15, help="seconds of producing (default 15)")
    parser.add_argument("--producers", type=int, default=2, help="producer processes (default 2)")
    parser.add_argument("--client-procs", type=int, default=2, help="client processes (default 2)")
    parser.add_argument(
        "--open-concurrency",
        type=int,
        default=40,
        help="streams being opened at once, over all clients (default 40; each request in flight holds\n"
        "a PostgreSQL connection until the view has checked access, and max_connections is 100)",
    )
    parser.add_argument("--slots", type=int, default=10, help="producer sub-ticks per period (default 10)")
    parser.add_argument("--processes", type=int, default=1, help="uvicorn processes behind the port (default 1)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    return parser.parse_args()


# --help answers before Django starts the embedded servers
ARGS = _parse_args() if __name__ == "__main__" else argparse.Namespace()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncio  # noqa: E402
import json  # noqa: E402
import multiprocessing as mp  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402

import httpx2 as httpx  # noqa: E402 - the httpx fork the OpenAI SDK ships with
import redis  # noqa: E402

from bench.stats import pct  # noqa: E402
from bench.stream_common import (  # noqa: E402 - sets up Django first
    bench_tenant,
    child_env,
    cleanup,
    connections,
    cpu_snapshot,
    free_port,
    machine,
    rss_mb,
    server_pids,
    session_cookie,
    settings,
    sigterm_as_interrupt,
    start_uvicorn,
    tree_pids,
)
from bench.stream_procstat import cpu_delta  # noqa: E402

# isort: split
# Django only after bench.stream_common has set it up (django_tenants.utils reads settings on import).
from django.db import connection  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from chat.streaming import keys as stream_keys  # noqa: E402
from chat.streaming import writer  # noqa: E402

SUBDOMAIN = "bench-fanout"
OWNER = "owner@bench-fanout.example"
_PROCS: list[mp.Process] = []


def open_answers(tenant, owner, n: int) -> list[str]:
    """``n`` conversations, each with a question and an answer that is still streaming."""
    from chat.models import Conversation, Message

    with schema_context(tenant.schema_name):
        Conversation.objects.filter(user=owner).delete()  # the previous run's
        conversations = Conversation.objects.bulk_create(
            [Conversation(user=owner, title=f"Fan-out {i}", message_count=2) for i in range(n)]
        )
        questions = Message.objects.bulk_create(
            [Message(conversation=c, user=owner, role=Message.Role.USER, content="Tell me a long story.")
             for c in conversations]
        )  # fmt: skip
        answers = Message.objects.bulk_create(
            [Message(conversation=c, parent=q, role=Message.Role.ASSISTANT, status=Message.Status.STREAMING)
             for c, q in zip(conversations, questions, strict=True)]
        )  # fmt: skip
        for c, a in zip(conversations, answers, strict=True):
            c.current_leaf = a
        Conversation.objects.bulk_update(conversations, ["current_leaf"])
        ids = [str(a.pk) for a in answers]
        schema = tenant.schema_name
    connection.set_schema_to_public()
    r = redis.Redis.from_url(settings.REDIS_URL)
    r.delete(*[stream_keys.stream_key(i, schema) for i in ids])
    r.close()
    return ids


# --- clients (child processes) ------------------------------------------------------------------
async def _one_stream(client, url: str, headers: dict, ready, deadline: float, opening) -> dict:
    rec: dict = {"status": None, "events": 0, "end": False, "error": None, "gaps": [], "latency": []}
    await opening.acquire()
    held = True
    try:
        async with client.stream("GET", url, headers=headers) as response:
            rec["status"] = response.status_code
            if response.status_code != 200:
                rec["error"] = f"HTTP {response.status_code}"
                return rec
            event = None
            last = None
            counted = False
            async for line in response.aiter_lines():
                if not counted:  # the first line ("retry: ...") came: the view is about to XREAD
                    counted = True
                    opening.release()
                    held = False
                    with ready.get_lock():
                        ready.value += 1
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    if event == "delta":
                        now = time.monotonic()
                        rec["latency"].append(time.time() - json.loads(line[6:])["t"])
                        if last is not None:
                            rec["gaps"].append(now - last)
                        last = now
                        rec["events"] += 1
                    elif event == stream_keys.END:
                        rec["end"] = True
                        break
                if time.monotonic() > deadline:
                    rec["error"] = "client deadline"
                    break
    except Exception as exc:  # noqa: BLE001 - every failure is a counted, reported drop
        rec["error"] = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        if held:
            opening.release()
    return rec


async def _clients(base: str, urls: list[str], headers: dict, ready, deadline: float, at_once: int) -> list[dict]:
    opening = asyncio.Semaphore(max(1, at_once))
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    timeout = httpx.Timeout(connect=30, read=30, write=30, pool=30)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        return await asyncio.gather(*(_one_stream(client, u, headers, ready, deadline, opening) for u in urls))


def _child_signals() -> None:
    """Children end when the parent terminates them; Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def client_proc(base: str, urls: list[str], headers: dict, ready, deadline: float, at_once: int, out) -> None:
    _child_signals()
    started = time.process_time()
    recs = asyncio.run(_clients(base, urls, headers, ready, deadline, at_once))
    out.put({"kind": "clients", "recs": recs, "cpu": time.process_time() - started})


# --- producers (child processes) ----------------------------------------------------------------
def producer_proc(keys: list[str], rate: float, seconds: float, slots: int, go, out) -> None:
    _child_signals()
    r = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    groups = [keys[i::slots] for i in range(slots)]
    step = 1.0 / rate / slots
    ticks = int(seconds * rate * slots)
    produced = 0
    lags: list[float] = []
    if not go.wait(120):
        out.put({"kind": "producer", "produced": 0, "lags": [], "cpu": 0.0, "seconds": 0.0})
        return
    cpu0 = time.process_time()
    start = time.monotonic()
    for k in range(ticks):
        target = start + k * step
        now = time.monotonic()
        if target > now:
            time.sleep(target - now)
        else:
            lags.append(now - target)
        seq = k // slots
        wall = time.time()
        with r.pipeline(transaction=False) as pipe:
            for key in groups[k % slots]:
                writer.publish(key, "delta", {"text": f"w{seq} ", "seq": seq, "t": wall}, pipe=pipe)
            pipe.execute()
        produced += len(groups[k % slots])
    elapsed = time.monotonic() - start
    with r.pipeline(transaction=False) as pipe:
        for key in keys:
            writer.publish(key, stream_keys.END, {"status": "complete"}, pipe=pipe)
        pipe.execute()
    out.put({"kind": "producer", "produced": produced, "lags": lags, "cpu": time.process_time() - cpu0,
             "seconds": elapsed})  # fmt: skip


def spawn(target, *args) -> mp.Process:
    proc = mp.get_context("fork").Process(target=target, args=args, daemon=True)
    proc.start()
    _PROCS.append(proc)
    return proc


def stop_procs() -> None:
    for proc in _PROCS:
        if proc.is_alive():
            proc.terminate()
    for proc in _PROCS:
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=5)


def redis_info() -> dict:
    r = redis.Redis.from_url(settings.REDIS_URL)
    info = r.info()
    r.close()
    return info


def pg_connections() -> int | str:
    """Connections to the bench database (this query's own included), or why it could not ask."""
    from django.db import OperationalError

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            return cursor.fetchone()[0]
    except OperationalError as exc:
        return f"refused ({str(exc).strip().splitlines()[-1][:60]})"
    finally:
        connection.close()


def main(args: argparse.Namespace) -> int:
    sigterm_as_interrupt()
    tenant, owner = bench_tenant(SUBDOMAIN, OWNER)
    host = f"{SUBDOMAIN}.localhost"
    ids = open_answers(tenant, owner, args.streams)
    keys = [stream_keys.stream_key(i, tenant.schema_name) for i in ids]
    cookie = session_cookie(tenant, owner, host)
    port = free_port()
    server_pids()  # the servers' session gets BENCH_NICE's priority, if set
    server = start_uvicorn(port, child_env(), workers=args.processes)
    base = f"http://127.0.0.1:{port}"
    headers = {"Host": host, "Cookie": cookie, "Accept": "text/event-stream"}

    # warm-up: one whole stream (imports, first DB connection, URL resolver)
    r = redis.Redis.from_url(settings.REDIS_URL)
    warm_key = keys[0]
    writer.publish(warm_key, stream_keys.END, {"status": "complete"})
    for _ in range(3 * args.processes):  # new connections each: the kernel spreads them over the processes
        resp = httpx.get(f"{base}/chat/m/{ids[0]}/stream/", headers=headers, timeout=30)
        assert resp.status_code == 200 and "event: end" in resp.text, (resp.status_code, resp.text[:300])
    r.delete(warm_key)
    r.close()
    connection.close()  # no DB connection is carried into the forked children
    time.sleep(1)

    def web_pids() -> list[int]:  # the serving processes (with --workers N, not the supervisor)
        pids = tree_pids(server.pid)
        return pids[1:] if args.processes > 1 else pids

    def web_rss() -> float:
        return sum(rss_mb(pid) for pid in web_pids())

    rss_before = web_rss()
    info0 = redis_info()
    pg_before = pg_connections()
    connection.close()

    ready = mp.get_context("fork").Value("i", 0)
    go = mp.get_context("fork").Event()
    out = mp.get_context("fork").Queue()
    deadline = time.monotonic() + 60 + args.seconds + 30
    per = -(-len(ids) // args.client_procs)
    urls = [f"/chat/m/{i}/stream/" for i in ids]
    t_connect = time.monotonic()
    for n in range(args.client_procs):
        at_once = args.open_concurrency // args.client_procs
        spawn(client_proc, base, urls[n * per : (n + 1) * per], headers, ready, deadline, at_once, out)
    for n in range(args.producers):
        spawn(producer_proc, keys[n :: args.producers], args.rate, args.seconds, args.slots, go, out)

    while ready.value < len(ids) and time.monotonic() - t_connect < 60:
        time.sleep(0.05)
    connected = ready.value
    ramp = time.monotonic() - t_connect
    rss_connected = web_rss()
    info_connected = redis_info()
    pg_connected = pg_connections()
    connection.close()
    print(f"{connected}/{len(ids)} streams open after {ramp:.1f} s ({args.open_concurrency} opening at once); "
          f"producing for {args.seconds:.0f} s ...")  # fmt: skip

    pids = {"uvicorn": set(tree_pids(server.pid)), **{f"proc{i}": {p.pid} for i, p in enumerate(_PROCS)}}
    pids["redis-server"] = {int(info_connected["process_id"])}
    cpu0 = {name: cpu_snapshot(p) for name, p in pids.items()}
    t0 = time.monotonic()
    go.set()
    rss_samples = []
    conns = None
    while time.monotonic() - t0 < args.seconds:
        time.sleep(0.5)
        rss_samples.append(web_rss())
        if conns is None and time.monotonic() - t0 > args.seconds / 2:
            conns = connections({
                "web": set(tree_pids(server.pid)),
                "clients": {p.pid for p in _PROCS[: args.client_procs]},
                "producers": {p.pid for p in _PROCS[args.client_procs :]},
            })  # fmt: skip
            connection.close()
    window = time.monotonic() - t0
    cpu1 = {name: cpu_snapshot(p) for name, p in pids.items()}
    info_during = redis_info()
    pg_during = pg_connections()
    connection.close()

    results = []
    while len(results) < args.client_procs + args.producers and time.monotonic() < deadline:
        try:
            results.append(out.get(timeout=max(0.1, deadline - time.monotonic())))
        except Exception:  # noqa: BLE001 - queue.Empty: a child died; report what came
            break
    recs = [rec for res in results if res["kind"] == "clients" for rec in res["recs"]]
    prods = [res for res in results if res["kind"] == "producer"]
    client_cpu = sum(res["cpu"] for res in results if res["kind"] == "clients")

    # --- report ----------------------------------------------------------------------------------
    ok = [rec for rec in recs if rec["end"] and rec["error"] is None]
    failed = [rec for rec in recs if not (rec["end"] and rec["error"] is None)]
    missing = len(ids) - len(recs)
    gaps = [g * 1000 for rec in recs for g in rec["gaps"]]
    lat = [x * 1000 for rec in recs for x in rec["latency"]]
    delivered = sum(rec["events"] for rec in recs)
    produced = sum(p["produced"] for p in prods)
    lags = [x * 1000 for p in prods for x in p["lags"]]
    prod_seconds = max((p["seconds"] for p in prods), default=float("nan"))
    target_rate = args.rate * len(ids)

    procs = "one uvicorn process" if args.processes == 1 else f"{args.processes} uvicorn processes (--workers)"
    print(f"\nstream_fanout: {len(ids)} SSE streams on {procs}, {args.rate:g} events/s each, "
          f"{args.seconds:g} s; {machine()}")  # fmt: skip
    print(f"load generators on the same machine: {args.client_procs} client processes (httpx AsyncClient), "
          f"{args.producers} producer processes (redis-py pipelines, {args.slots} sub-ticks per period)")  # fmt: skip
    print(f"  streams: {len(ok)} ended normally, {len(failed)} failed/dropped, {missing} never reported (target 0)")
    errors: dict[str, int] = {}
    for rec in failed:
        key = rec["error"] or "ended without the end event"
        errors[key] = errors.get(key, 0) + 1
    for text, count in sorted(errors.items(), key=lambda kv: -kv[1])[:5]:
        print(f"    {count} x {text}")
    print(f"  events: produced {produced:,} ({produced / prod_seconds:,.0f}/s, target {target_rate:,.0f}/s), "
          f"delivered {delivered:,} ({delivered / max(produced, 1):.2%})")  # fmt: skip
    print(f"  gap between events at a client: p50 {pct(gaps, 0.5):6.1f} ms  p95 {pct(gaps, 0.95):6.1f} ms  "
          f"p99 {pct(gaps, 0.99):6.1f} ms  max {max(gaps, default=float('nan')):7.1f} ms  "
          f"(period {1000 / args.rate:.0f} ms; target p95 < 100 ms)")  # fmt: skip
    print(f"  producer -> client latency:     p50 {pct(lat, 0.5):6.1f} ms  p95 {pct(lat, 0.95):6.1f} ms  "
          f"p99 {pct(lat, 0.99):6.1f} ms  max {max(lat, default=float('nan')):7.1f} ms")  # fmt: skip
    subticks = args.seconds * args.rate * args.slots * args.producers
    print(f"  producer behind schedule: {len(lags)} of {subticks:,.0f} sub-ticks late, "
          f"p95 {pct(lags, 0.95) if lags else 0:.1f} ms, max {max(lags, default=0):.1f} ms")  # fmt: skip
    rss_during = max(rss_samples, default=float("nan"))
    print(f"  uvicorn RSS (its processes): {rss_before:.1f} MiB idle, {rss_connected:.1f} MiB with {connected} open, "
          f"peak {rss_during:.1f} MiB while streaming -> {(rss_during - rss_before) * 1024 / len(ids):.0f} KiB "
          f"per stream")  # fmt: skip
    clients = [i["connected_clients"] for i in (info0, info_connected, info_during)]
    print(f"  Redis clients: {clients[0]} before, {clients[1]} with the streams open, {clients[2]} while streaming "
          "(the bench's own, plus per uvicorn process one shared XREAD reader and up to 8 pooled)")  # fmt: skip
    print(f"  PostgreSQL connections: {pg_before} before, {pg_connected} with the streams open, "
          f"{pg_during} while streaming")  # fmt: skip
    cpu = {name: cpu_delta(cpu0[name], cpu1[name]) / window for name in cpu1}
    names = {"uvicorn": "uvicorn", "redis-server": "redis-server"}
    for i in range(args.client_procs):
        names[f"proc{i}"] = f"client {i}"
    for i in range(args.producers):
        names[f"proc{args.client_procs + i}"] = f"producer {i}"
    print("  CPU while streaming (cores): " + ", ".join(f"{names.get(k, k)} {v:.2f}" for k, v in cpu.items())
          + f"; total {sum(cpu.values()):.2f} of {os.cpu_count()}")  # fmt: skip
    print(f"  client processes used {client_cpu:.1f} s CPU in all")
    if conns is not None:
        for server_name, counts in conns.items():
            print(f"  {server_name} connections while streaming, by holder: "
                  + ", ".join(f"{k} {v}" for k, v in counts.items()))  # fmt: skip
    if args.json is not None:
        args.json.write_text(json.dumps({
            "processes": args.processes,
            "streams": len(ids),
            "opened": connected,
            "dropped": len(failed) + missing,
            "delivered_ratio": delivered / max(produced, 1),
            "latency_p50": pct(lat, 0.5), "latency_p95": pct(lat, 0.95), "latency_p99": pct(lat, 0.99),
            "gap_p95": pct(gaps, 0.95),
            "web_cores": cpu.get("uvicorn", 0.0),
            "client_cores": sum(cpu.get(f"proc{i}", 0.0) for i in range(args.client_procs)),
            "producer_cores": sum(cpu.get(f"proc{args.client_procs + i}", 0.0) for i in range(args.producers)),
            "redis_cores": cpu.get("redis-server", 0.0),
            "rss_per_process_mb": rss_during / args.processes,
            "rss_per_stream_kib": (rss_during - rss_before) * 1024 / len(ids),
            "connections": conns,
            "load": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        }))  # fmt: skip
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(ARGS))
    finally:
        stop_procs()
        cleanup()
