"""Web and worker processes scaled to N on this machine, against one PostgreSQL and one Redis (issue 12 §6).

    .venv/bin/python bench/scale_processes.py workers [--processes 1,2,4] [--questions 200] [--first-delay 0.1]
    .venv/bin/python bench/scale_processes.py web [--processes 1,2,4] [--streams 250,500,1000] [--rate 20]

``workers``: for each N, N Celery workers of the project (``bench.stream_worker``: the real worker,
queues celery + orchestration, prefork with ``--concurrency`` processes each, default 1, so N is the
number of processes generating answers) and the fake OpenAI server (orchestration.testing.fake_llm,
real SSE on 127.0.0.1, in its own process, the same latency for every N). A burst of ``--questions``
questions, each in its own conversation, goes through the real send path
(``chat.services.message_send``: admission, quota, the INSERTs, the task enqueued on commit) inside
one transaction, so the whole burst reaches the queue at its commit. Measured from the commit:
questions/s until the last answer is final (its ``finalized_at``), time to first token (the first
``delta`` entry of the answer's Redis stream: its id is Redis's clock) from the release and from the
moment a pool process started the task, CPU per question of each party (/proc: worker main
processes, pool processes, PostgreSQL, Redis, the fake provider, this process), and the connections
PostgreSQL and Redis list mid-burst, each attributed to the process holding its other end.
The bench workspace is on the ``enterprise`` plan (no quota) with the per-tenant generation cap
off (GENERATIONS_PER_TENANT=0): one workspace must be able to use every worker here.

``web``: for each N and each M of ``--streams``, ``bench/stream_fanout.py --processes N --streams M``
(uvicorn ``--workers N`` behind one port, M SSE streams of the real view following answer streams
fed at ``--rate`` events/s), one run each, and a table of its figures (written as JSON by it).

Both use the embedded servers under .data/bench (reused when running; stopped at the end only if
this run started them); everything else they start is stopped at the end, on Ctrl-C and on errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="part", required=True)
    w = sub.add_parser("workers", help="N Celery workers draining a burst of questions")
    w.add_argument("--processes", type=_ints, default=[1, 2, 4], help="worker counts (default 1,2,4)")
    w.add_argument("--concurrency", type=int, default=1, help="prefork processes per worker (default 1)")
    w.add_argument("--questions", type=int, default=200, help="questions in the burst (default 200)")
    w.add_argument("--first-delay", type=float, default=0.1, help="fake provider: s before the first chunk")
    w.add_argument("--chunk-delay", type=float, default=0.01, help="fake provider: s between chunks")
    w.add_argument("--repeat", type=int, default=1, help="bursts per N, interleaved 1,2,4,1,2,4 (default 1)")
    s = sub.add_parser("web", help="N uvicorn processes holding M SSE streams (bench/stream_fanout.py)")
    s.add_argument("--processes", type=_ints, default=[1, 2, 4], help="uvicorn process counts (default 1,2,4)")
    s.add_argument("--streams", type=_ints, default=[250, 500, 1000], help="stream counts (default 250,500,1000)")
    s.add_argument("--rate", type=float, default=20, help="events/s per stream (default 20)")
    s.add_argument("--seconds", type=float, default=10, help="seconds of producing per run (default 10)")
    s.add_argument("--bound", type=float, default=100, help="producer -> client latency p95 bound, ms (default 100)")
    return parser.parse_args()


# --help answers before Django starts the embedded servers
ARGS = _parse_args() if __name__ == "__main__" else argparse.Namespace()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# This process sends the questions itself (chat.services.message_send): the per-user and per-tenant
# question limits must be off here as they are in the children (bench.stream_common.BENCH_LIMITS).
for _name in ("QUESTIONS_PER_MINUTE_USER", "QUESTIONS_PER_MINUTE_TENANT", "STREAMS_PER_USER"):
    os.environ[_name] = "0"
os.environ["GENERATIONS_PER_TENANT"] = "0"

import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import openai  # noqa: E402
import redis  # noqa: E402

from bench.stats import pct  # noqa: E402
from bench.stream_common import (  # noqa: E402 - sets up Django first
    BENCH_LIMITS,
    ROOT,
    bench_tenant,
    child_env,
    cleanup,
    connections,
    cpu_snapshot,
    machine,
    rss_mb,
    server_pids,
    settings,
    sigterm_as_interrupt,
    start,
    start_worker,
    stop_children,
    tree_pids,
    wait_workers,
)
from bench.stream_procstat import cpu_delta  # noqa: E402

# isort: split
from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

SUBDOMAIN = "bench-scale-procs"
OWNER = "owner@bench-scale-procs.example"
QUESTION = "What is the capital of Slovenia?"
TEXT = (
    "Ljubljana is the capital of Slovenia. It lies on the river Ljubljanica, between the Alps and the "
    "Karst, and is the country's largest city, seat of its parliament, government and university."
)
assert {k: os.environ[k] for k in BENCH_LIMITS} == BENCH_LIMITS, "keep the limits above as BENCH_LIMITS says"


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- the fake provider, in a process of its own (its CPU is measured apart) ------------------------
_FAKE = """
import signal, sys
from orchestration.testing.fake_llm import FakeLLM
with FakeLLM() as fake:
    fake.behave(text=sys.argv[3], first_delay=float(sys.argv[1]), chunk_delay=float(sys.argv[2]))
    print("URL", fake.openai_base_url, flush=True)
    signal.pause()  # until SIGTERM (stop_children)
"""


def start_fake(first_delay: float, chunk_delay: float):
    """The fake OpenAI server in a fresh process (not a fork: it holds none of this one's sockets)."""
    log = settings.DATA_DIR / "logs" / "scale-procs-fake.log"
    proc = start([sys.executable, "-c", _FAKE, str(first_delay), str(chunk_delay), TEXT], child_env(), log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if line.startswith("URL "):
                return proc, line.split()[1]
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"the fake provider did not start; see {log}")


def provider_alone(base_url: str, n: int = 5) -> tuple[float, float]:
    """Median time to first content chunk and to the end of the answer, calling the fake directly."""
    client = openai.OpenAI(api_key="sk-bench", base_url=base_url, max_retries=0)
    firsts, wholes = [], []
    for _ in range(n):
        t0 = time.monotonic()
        first = None
        stream = client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": QUESTION}], stream=True
        )
        for chunk in stream:
            if first is None and chunk.choices and chunk.choices[0].delta.content:
                first = time.monotonic() - t0
        wholes.append(time.monotonic() - t0)
        firsts.append(first or float("nan"))
    client.close()
    return pct(firsts, 0.5), pct(wholes, 0.5)


# --- one burst ---------------------------------------------------------------------------------
def burst(tenant, owner, q: int, groups_of, trace: Path) -> dict:
    """``q`` questions released at one commit; waits until every answer is final."""
    from chat.models import Message
    from chat.services import conversation_create, message_send
    from chat.streaming import keys as stream_keys

    schema = tenant.schema_name
    with schema_context(schema):
        conversations = [conversation_create(user=owner) for _ in range(q)]
    trace.write_text("")
    mark: dict = {}

    def released() -> None:  # the first on_commit callback: before any task is sent
        mark["groups"] = groups_of()
        mark["cpu"] = {name: cpu_snapshot(pids) for name, pids in mark["groups"].items()}
        mark["t0"] = time.time()
        mark["m0"] = time.monotonic()

    with schema_context(schema):
        with transaction.atomic():
            transaction.on_commit(released)
            answers = [str(message_send(conversation_id=c.pk, user=owner, content=QUESTION)[1].pk)
                       for c in conversations]  # fmt: skip
        sent = time.time()
        conns = None
        while True:
            open_ = Message.objects.filter(pk__in=answers, status__in=list(Message.OPEN)).count()
            if conns is None and open_ <= q // 2:
                now = groups_of()
                conns = connections(now)  # mid-burst: every worker busy
                rss = {name: [rss_mb(pid) for pid in now[name]] for name in ("worker main", "worker pool")}
            if open_ == 0:
                break
            if time.time() - mark["t0"] > 600:
                raise RuntimeError(f"{open_} answers still open after 600 s")
            time.sleep(0.1)
        cpu1 = {name: cpu_snapshot(groups_of()[name] | pids) for name, pids in mark["groups"].items()}
        t_end_poll = time.time()
        rows = list(Message.objects.filter(pk__in=answers).values_list("pk", "status", "finalized_at"))
    connection.set_schema_to_public()

    r = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    first_delta = {}
    for answer in answers:
        for entry_id, fields in r.xrange(stream_keys.stream_key(answer, schema), count=20):
            if fields.get("type") == "delta":
                first_delta[answer] = int(entry_id.split("-")[0]) / 1000
                break
    r.close()
    offset = mark["t0"] - mark["m0"]  # wall - monotonic (both system-wide clocks)
    prerun = {}
    for line in trace.read_text().splitlines():
        message_id, stage, when = line.split()
        if stage == "prerun":
            prerun.setdefault(message_id, float(when) + offset)
    t0 = mark["t0"]
    last = max(f.timestamp() for _pk, _s, f in rows if f is not None)
    statuses: dict[str, int] = {}
    for _pk, status, _f in rows:
        statuses[status] = statuses.get(status, 0) + 1
    window = t_end_poll - t0
    cpu = {name: cpu_delta(mark["cpu"][name], cpu1[name]) for name in mark["cpu"]}
    return {
        "questions": q,
        "statuses": statuses,
        "send_s": sent - t0,
        "drain_s": last - t0,
        "qps": q / (last - t0),
        "ttft_release": [(first_delta[a] - t0) * 1000 for a in answers if a in first_delta],
        "ttft_task": [(first_delta[a] - prerun[a]) * 1000 for a in answers if a in first_delta and a in prerun],
        "cpu": cpu,
        "window_s": window,
        "connections": conns,
        "rss": rss,
    }


def run_workers(args: argparse.Namespace) -> int:
    from billing.services import subscription_set_plan_by_code

    sigterm_as_interrupt()
    print(f"scale_processes workers: {machine()}")
    tenant, owner = bench_tenant(SUBDOMAIN, OWNER)
    subscription_set_plan_by_code(tenant, "enterprise")  # no quota: a plan's limits are not measured here
    with schema_context(tenant.schema_name):
        from chat.models import Conversation

        Conversation.objects.filter(user=owner).delete()  # the previous run's
    connection.set_schema_to_public()

    fake, base_url = start_fake(args.first_delay, args.chunk_delay)
    first, whole = provider_alone(base_url)
    print(
        f"fake provider (own process): first chunk {first * 1000:.1f} ms, whole answer {whole * 1000:.1f} ms "
        f"(first delay {args.first_delay * 1000:.0f} ms, {args.chunk_delay * 1000:.0f} ms between chunks)"
    )
    trace = settings.DATA_DIR / "logs" / "scale-procs-trace.txt"
    trace.parent.mkdir(parents=True, exist_ok=True)
    env = child_env(
        BENCH_TRACE_FILE=str(trace),
        OPENAI_API_KEY="sk-bench",
        OPENAI_BASE_URL=base_url,
        ANTHROPIC_API_KEY="",
        PERPLEXITY_API_KEY="",
        ORCHESTRATION_PLATFORM_RPM="0",
        GENERATIONS_PER_TENANT="0",
    )
    servers = server_pids()
    results: dict[int, list[dict]] = {n: [] for n in args.processes}
    for _round in range(args.repeat):
        for n in args.processes:
            workers = [
                start_worker(env, name=f"scale{n}-{i}", pool=["--pool", "prefork", "-c", str(args.concurrency)],
                             log_name=f"celery-scale-{i}.log")
                for i in range(n)
            ]  # fmt: skip
            wait_workers(workers)

            def groups_of(workers=workers) -> dict[str, set[int]]:
                mains = {w.pid for w in workers}
                pool = {pid for w in workers for pid in tree_pids(w.pid)} - mains
                return {
                    "worker main": mains,
                    "worker pool": pool,
                    "postgres": set(tree_pids(servers["postgres"])),
                    "redis": {servers["redis"]},
                    "fake provider": {fake.pid},
                    "bench": {os.getpid()},
                }

            burst(tenant, owner, max(4, 2 * n * args.concurrency), groups_of, trace)  # warm every pool process
            res = burst(tenant, owner, args.questions, groups_of, trace)
            res["load"] = load()
            results[n].append(res)
            print(f"  N={n}: {res['qps']:.1f} questions/s, drained in {res['drain_s']:.2f} s, "
                  f"{res['statuses']}, load {res['load']}", flush=True)  # fmt: skip
            stop_children(workers)
    stop_children()
    report_workers(args, results)
    return 0


def report_workers(args: argparse.Namespace, results: dict[int, list[dict]]) -> None:
    per = args.concurrency
    print(f"\n{args.questions} questions per burst, one conversation each, released at one commit; "
          f"worker = prefork x{per}; load average now {load()}")  # fmt: skip
    print(
        "| N processes | questions/s | per process | TTFT from release p50 / p95 | task start -> first delta "
        "p50 / p95 | CPU per question (ms): pool / main / PostgreSQL / Redis / fake / bench | cores used | load |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n, runs in results.items():
        for res in runs:
            q = res["questions"]
            cpu = res["cpu"]
            per_q = " / ".join(
                f"{cpu[k] * 1000 / q:.1f}"
                for k in ("worker pool", "worker main", "postgres", "redis", "fake provider", "bench")
            )
            cores = sum(cpu.values()) / res["window_s"]
            rel, task = res["ttft_release"], res["ttft_task"]
            print(f"| {n * per} | {res['qps']:.1f} | {res['qps'] / (n * per):.1f} | "
                  f"{pct(rel, 0.5):.0f} / {pct(rel, 0.95):.0f} ms | {pct(task, 0.5):.0f} / {pct(task, 0.95):.0f} ms | "
                  f"{per_q} (total {sum(cpu.values()) * 1000 / q:.1f}) | {cores:.2f} | {res['load']} |")  # fmt: skip
    rss = {n: runs[-1]["rss"] for n, runs in results.items()}
    print("\nRSS mid-burst, median per process (MiB): " + "; ".join(
        f"N={n}: main {pct(r['worker main'], 0.5):.0f}, pool {pct(r['worker pool'], 0.5):.0f}" for n, r in rss.items()
    ))  # fmt: skip
    print("\nconnections mid-burst, as the servers list them (pg_stat_activity client backends / Redis CLIENT LIST):")
    for n, runs in results.items():
        conns = runs[-1]["connections"] or {}
        for server in ("postgres", "redis"):
            counts = conns.get(server, {})
            print(f"  N={n} {server}: total {sum(counts.values())}; "
                  + ", ".join(f"{k} {v}" for k, v in counts.items()))  # fmt: skip


# --- web: stream_fanout.py per (N, M) ----------------------------------------------------------
def run_web(args: argparse.Namespace) -> int:
    print(f"scale_processes web: {machine()}")
    out = settings.DATA_DIR / "logs" / "scale-procs-web.json"
    rows = []
    for n in args.processes:
        for m in args.streams:
            out.unlink(missing_ok=True)
            cmd = [sys.executable, str(ROOT / "bench" / "stream_fanout.py"), "--processes", str(n), "--streams", str(m),
                   "--rate", str(args.rate), "--seconds", str(args.seconds), "--json", str(out)]  # fmt: skip
            print(f"  N={n} M={m}: {' '.join(cmd[1:])}", flush=True)
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            if done.returncode != 0 or not out.exists():
                print(done.stdout[-2000:], done.stderr[-2000:])
                rows.append({"processes": n, "streams": m, "failed": True})
                continue
            rows.append(json.loads(out.read_text()))
            r = rows[-1]
            print(f"    dropped {r['dropped']}, latency p95 {r['latency_p95']:.1f} ms, gap p95 {r['gap_p95']:.1f} ms, "
                  f"web CPU {r['web_cores']:.2f} cores, load {r['load']}", flush=True)  # fmt: skip
    report_web(args, rows)
    return 0


def report_web(args: argparse.Namespace, rows: list[dict]) -> None:
    print(
        f"\n{args.rate:g} events/s per stream, {args.seconds:g} s per run; bound: no stream dropped and "
        f"producer -> client latency p95 < {args.bound:g} ms; load average now {load()}"
    )
    print(
        "| N | M streams | dropped | delivered | latency p50 / p95 / p99 | gap p95 | web CPU (cores) | "
        "CPU per stream (ms/s) | RSS per process | PostgreSQL / Redis connections: web (per process) | "
        "CPU: clients / producers / Redis | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    best: dict[int, int] = {}
    for r in rows:
        if r.get("failed"):
            print(f"| {r['processes']} | {r['streams']} | run failed | | | | | | | | | |")
            continue
        n, m = r["processes"], r["streams"]
        ok = r["dropped"] == 0 and r["latency_p95"] < args.bound
        if ok:
            best[n] = max(best.get(n, 0), m)
        pg, rd = r["connections"]["postgres"].get("web", 0), r["connections"]["redis"].get("web", 0)
        print(f"| {n} | {m} | {r['dropped']} | {r['delivered_ratio']:.2%} | {r['latency_p50']:.0f} / "
              f"{r['latency_p95']:.0f} / {r['latency_p99']:.0f} ms | {r['gap_p95']:.0f} ms | {r['web_cores']:.2f} | "
              f"{r['web_cores'] * 1000 / m:.2f} | {r['rss_per_process_mb']:.0f} MiB | {pg} ({pg / n:.1f}) / "
              f"{rd} ({rd / n:.1f}) | {r['client_cores']:.2f} / {r['producer_cores']:.2f} / {r['redis_cores']:.2f} | "
              f"{r['load']} |")  # fmt: skip
    for n in args.processes:
        print(f"  N={n}: most streams held within the bound: {best.get(n, 'none of those tried')}")


if __name__ == "__main__":
    try:
        sys.exit(run_workers(ARGS) if ARGS.part == "workers" else run_web(ARGS))
    finally:
        cleanup()
