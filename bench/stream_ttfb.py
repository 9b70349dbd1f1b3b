"""Server-added time to first token: POST of a message -> first SSE ``delta``, against the provider alone.

    .venv/bin/python bench/stream_ttfb.py [--iterations 100] [--pool prefork|solo|threads] [--billing on|off|both]

What runs (all on 127.0.0.1, all stopped at the end, also on Ctrl-C or an error):
- the fake OpenAI server (orchestration.testing.fake_llm) in a thread of this process, zero latency;
- embedded PostgreSQL and Redis under .data/bench (reused when already running; stopped only if
  this run started them);
- uvicorn (one process; with ``--billing both`` two, one per setting) and one Celery worker
  (``-Q celery,orchestration``, prefork with ``--concurrency 2`` by default, as ``make run`` starts
  it) with OPENAI_API_KEY=sk-bench and OPENAI_BASE_URL=<fake> (the platform key serves the bench
  tenant, which has none of its own).

Each iteration posts a question as the browser does (htmx POST /chat/<conversation>/messages/,
one fresh conversation per iteration so every request does the same work), takes the answer's
``data-stream-url`` from the returned fragment, opens the SSE stream at once and times the first
``delta`` event; it reads on to ``end`` before the next iteration. In the same iteration the fake
provider is called directly through the OpenAI SDK (a reused client, as the worker has) until its
first content chunk. The fake server runs in this process, so its request timestamps share the
client's clock and split the pipeline into stages.

``--billing``: the servers run ``bench/stream_asgi.py`` (the project's app); ``off`` turns the
question's quota path off in that server (``billing.services.quota_reserve`` does nothing), ``on``
(the default) leaves it as deployed. ``both`` starts one server of each, sharing the worker, the
database and the session, and alternates them turn by turn (on/off, then off/on), so the machine's
load falls on both alike; it prints both and the difference. The bench workspace is put on the
``pro`` plan (limits on every counter and a session limit, so the whole quota path runs) and its
counters start from zero, so repeated runs never reach the quota.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--iterations", type=int, default=100, help="measured turns (default 100)")
    parser.add_argument("--warmup", type=int, default=5, help="turns before measuring (default 5)")
    parser.add_argument(
        "--pool", choices=["prefork", "solo", "threads"], default="prefork", help="Celery pool (default prefork)"
    )
    parser.add_argument("--concurrency", type=int, default=2, help="pool processes/threads (default 2, as make run)")
    parser.add_argument(
        "--billing",
        choices=["on", "off", "both"],
        default="on",
        help="the question's quota path on, off, or both side by side (default on)",
    )
    return parser.parse_args()


# --help answers before Django starts the embedded servers
ARGS = _parse_args() if __name__ == "__main__" else argparse.Namespace()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx2 as httpx  # noqa: E402 - the httpx fork the OpenAI SDK ships with
import openai  # noqa: E402

from bench.stats import pct  # noqa: E402
from bench.stream_common import (  # noqa: E402 - sets up Django first
    bench_tenant,
    child_env,
    cleanup,
    free_port,
    machine,
    session_cookie,
    settings,
    sigterm_as_interrupt,
    start,
    start_uvicorn,
)
from orchestration.testing.fake_llm import FakeLLM  # noqa: E402

SUBDOMAIN = "bench-stream"
OWNER = "owner@bench-stream.example"
TEXT = "Ljubljana is the capital of Slovenia, on the river Ljubljanica."
QUESTION = "What is the capital of Slovenia?"
STREAM_URL = re.compile(r'data-stream-url="([^"]+)"')
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')


def fresh_conversations(tenant, owner, n: int) -> list[str]:
    from django_tenants.utils import schema_context  # only after bench.stream_common set Django up

    from chat.models import Conversation
    from chat.services import conversation_create

    with schema_context(tenant.schema_name):
        Conversation.objects.filter(user=owner).delete()  # the previous run's
        ids = [str(conversation_create(user=owner).pk) for _ in range(n)]
    return ids


def bench_plan(tenant) -> str:
    """The bench workspace on the ``pro`` plan with fresh counters (the bench's own workspace)."""
    from billing.models import UsageCounter
    from billing.services import subscription_set_plan_by_code

    subscription_set_plan_by_code(tenant, "pro")
    UsageCounter.objects.filter(tenant_id=tenant.pk).delete()
    from billing import quotas

    limits = quotas.limits_for(schema=tenant.schema_name)
    return (
        f"plan {limits.plan_code}: questions {limits.question_limit}/period, tokens {limits.token_limit_daily}/day, "
        f"concurrent sessions {limits.session_limit}"
    )


def wait_worker(proc, timeout: float = 60) -> None:
    from config.celery_app import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Celery worker exited; see {settings.DATA_DIR / 'logs' / 'celery.log'}")
        if app.control.ping(timeout=0.5):
            return
    raise RuntimeError("the Celery worker did not answer a ping within 60 s")


def direct_ttft(client: openai.OpenAI) -> float:
    t0 = time.monotonic()
    stream = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": QUESTION}],
        stream=True,
        stream_options={"include_usage": True},
    )
    first = None
    for chunk in stream:
        if first is None and chunk.choices and chunk.choices[0].delta.content:
            first = time.monotonic() - t0
    stream.close()
    assert first is not None
    return first


def one_turn(http: httpx.Client, headers: dict, conversation_id: str, fake: FakeLLM) -> dict:
    seen = len(fake.requests)
    t0 = time.monotonic()
    response = http.post(f"/chat/{conversation_id}/messages/", data={"content": QUESTION}, headers=headers)
    t_post = time.monotonic()
    match = STREAM_URL.search(response.text)
    if response.status_code != 200 or not match or "X-Chat-Problem" in response.headers:
        raise RuntimeError(f"POST answered {response.status_code}: {response.text[:300]}")
    t_first = None
    event = None
    status = "(no end event)"
    with http.stream("GET", match.group(1), headers={**headers, "Accept": "text/event-stream"}) as sse:
        t_open = None
        for line in sse.iter_lines():
            if t_open is None:
                t_open = time.monotonic()  # the first line ("retry: ...") arrived
            if line.startswith("event: "):
                event = line[7:]
                if event == "delta" and t_first is None:
                    t_first = time.monotonic()
            if line.startswith("data: ") and event == "end":
                status = line[6:]
                break
    if t_first is None:
        raise RuntimeError(f"no delta event; the stream ended with {status}")
    new = fake.requests[seen:]
    moderation = [r for r in new if r.path == "/moderations"]
    chat = [r for r in new if r.path == "/chat/completions"]
    return {
        "message_id": match.group(1).rstrip("/").split("/")[-2],
        "t0": t0,
        "t_post": t_post,
        "total": t_first - t0,
        "post": t_post - t0,
        "moderation": (moderation[0].finished - moderation[0].started) if moderation else 0.0,
        # POST returned -> the worker's provider request reached the fake server (negative: it came first)
        "to_provider": (chat[0].started - t0) if chat else float("nan"),
        "sse_open": (t_open or t_first) - t_post,
        "provider_to_client": (t_first - chat[0].started) if chat else float("nan"),
    }


def row(name: str, values_s: list[float]) -> str:
    ms = [v * 1000 for v in values_s]
    return f"  {name:<44} p50 {pct(ms, 0.5):7.1f} ms   p95 {pct(ms, 0.95):7.1f} ms   max {max(ms):7.1f} ms"


def main(args: argparse.Namespace) -> int:
    sigterm_as_interrupt()
    modes = ["on", "off"] if args.billing == "both" else [args.billing]
    turns = args.warmup + args.iterations
    load_before = machine()

    with FakeLLM() as fake:
        fake.behave(text=TEXT, first_delay=0, chunk_delay=0)
        tenant, owner = bench_tenant(SUBDOMAIN, OWNER)
        plan = bench_plan(tenant)
        host = f"{SUBDOMAIN}.localhost"
        conversations = fresh_conversations(tenant, owner, turns * len(modes) + 1)
        trace = settings.DATA_DIR / "logs" / "ttfb-trace.txt"
        trace.parent.mkdir(parents=True, exist_ok=True)
        trace.write_text("")
        env = child_env(
            BENCH_TRACE_FILE=str(trace),
            OPENAI_API_KEY="sk-bench",
            OPENAI_BASE_URL=fake.openai_base_url,
            ANTHROPIC_API_KEY="",
            PERPLEXITY_API_KEY="",
            ORCHESTRATION_PLATFORM_RPM="0",  # 100+ turns a minute on the platform key: measure, do not throttle
        )
        ports = {}
        for mode in modes:
            ports[mode] = free_port()
            start_uvicorn(
                ports[mode], {**env, "BENCH_BILLING": mode}, app="bench.stream_asgi:application",
                log_name=f"uvicorn-billing-{mode}.log",
            )  # fmt: skip
        pool = ["--pool", "solo"] if args.pool == "solo" else ["--pool", args.pool, "-c", str(args.concurrency)]
        worker = start(
            [sys.executable, "-m", "celery", "-A", "bench.stream_worker", "worker", "-l", "warning",
             "-Q", "celery,orchestration", "--without-gossip", "--without-mingle", *pool],
            env,
            settings.DATA_DIR / "logs" / "celery.log",
        )  # fmt: skip
        wait_worker(worker)

        cookie = session_cookie(tenant, owner, host)
        direct = openai.OpenAI(api_key="sk-bench", base_url=fake.openai_base_url, max_retries=0)
        clients = {
            mode: httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, headers={"Host": host})
            for mode, port in ports.items()
        }
        try:
            http = clients[modes[0]]
            page = http.get(f"/chat/{conversations[-1]}/", headers={"Cookie": cookie})
            token = CSRF.search(page.text)
            if page.status_code != 200 or token is None:
                raise RuntimeError(f"conversation page answered {page.status_code}; not logged in?")
            csrf_cookie = page.cookies.get(settings.CSRF_COOKIE_NAME) or http.cookies.get(settings.CSRF_COOKIE_NAME)
            http.cookies.clear()
            headers = {
                "Cookie": f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf_cookie}",
                "X-CSRFToken": token.group(1),
                "HX-Request": "true",
                "Referer": f"http://{host}/chat/",
            }
            results: dict[str, list[dict]] = {mode: [] for mode in modes}
            directs: dict[str, list[float]] = {mode: [] for mode in modes}
            free = iter(conversations[:-1])
            for i in range(turns):
                for mode in modes if i % 2 == 0 else modes[::-1]:  # on/off, then off/on: neither always first
                    d = direct_ttft(direct)
                    r = one_turn(clients[mode], headers, next(free), fake)
                    if i >= args.warmup:
                        directs[mode].append(d)
                        results[mode].append(r)
        finally:
            for client in clients.values():
                client.close()

    stages: dict[tuple[str, str], float] = {}
    for line in trace.read_text().splitlines():
        message_id, stage, when = line.split()
        stages[(message_id, stage)] = float(when)
    for mode in modes:
        for r in results[mode]:
            r["to_received"] = stages.get((r["message_id"], "received"), float("nan")) - r["t0"]
            r["received_to_prerun"] = stages.get((r["message_id"], "prerun"), float("nan")) - (
                r["t0"] + r["to_received"]
            )
            r["prerun_to_provider"] = r["to_provider"] - r["to_received"] - r["received_to_prerun"]
    print(f"\nstream_ttfb: {args.iterations} turns per setting after {args.warmup} warm-up; {load_before}")
    print(f"  load average at the end: {machine().rsplit('load average ', 1)[1]}")
    print(f"uvicorn 1 process per setting; Celery worker pool {args.pool}"
          + (f" x{args.concurrency}" if args.pool != "solo" else "") + "; fake provider zero latency")  # fmt: skip
    print(f"bench workspace on {plan}")
    overheads = {}
    for mode in modes:
        res, dirs = results[mode], directs[mode]
        totals = [r["total"] for r in res]
        overheads[mode] = [r["total"] - d for r, d in zip(res, dirs, strict=True)]
        print(f"\nbilling {mode} (quota path {'as deployed' if mode == 'on' else 'turned off'}):")
        print(row("provider alone (SDK -> first content chunk)", dirs))
        print(row("through Chorus (POST -> first SSE delta)", totals))
        print(row("server-added (difference, per turn)", overheads[mode]))
        print("  of which (stages of the same turns):")
        print(row("  POST round trip", [r["post"] for r in res]))
        print(row("  moderation call (worker, beside the answer)", [r["moderation"] for r in res]))
        print(row("  POST sent -> worker calls the provider", [r["to_provider"] for r in res]))
        print(row("    POST sent -> worker took the task", [r["to_received"] for r in res]))
        print(row("    worker took it -> pool process starts it", [r["received_to_prerun"] for r in res]))
        print(row("    task started -> provider request", [r["prerun_to_provider"] for r in res]))
        print(row("  POST returned -> SSE first line", [r["sse_open"] for r in res]))
        print(row("  provider called -> first delta at client", [r["provider_to_client"] for r in res]))
        med = pct([o * 1000 for o in overheads[mode]], 0.5)
        print(f"  median overhead {med:.1f} ms: target < 30 ms {'met' if med < 30 else 'MISSED'}")
    if len(modes) == 2:
        print("\nbilling on minus off (same run, alternating turns):")
        for name, key in (("server-added", None), ("POST round trip", "post"), ("through Chorus", "total")):
            on = [v * 1000 for v in (overheads["on"] if key is None else [r[key] for r in results["on"]])]
            off = [v * 1000 for v in (overheads["off"] if key is None else [r[key] for r in results["off"]])]
            cols = []
            for q in (0.5, 0.95):
                a, b = pct(on, q), pct(off, q)
                cols.append(f"p{round(q * 100)} {a:7.1f} vs {b:7.1f} ms ({a - b:+6.1f})")
            print(f"  {name:<18} " + "   ".join(cols))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(ARGS))
    finally:
        cleanup()
