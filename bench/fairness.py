"""Fairness across workspaces: workspace B's answer latency alone, and during workspace A's burst.

    .venv/bin/python bench/fairness.py [--caps 0,2] [--concurrency 4] [--burst 30] [--questions 10]

What runs (all on 127.0.0.1, all stopped at the end, also on Ctrl-C or an error):
- the fake OpenAI server (orchestration.testing.fake_llm) in a thread of this process; every answer streams
  ``--words`` words with ``--chunk-delay`` seconds between chunks (about 1 s per answer by default);
- embedded PostgreSQL and Redis under .data/bench (reused when running; stopped if this run started them);
- for each cap in ``--caps``: one Celery worker (``-Q celery,orchestration``, prefork,
  ``--concurrency`` processes) with GENERATIONS_PER_TENANT=<cap> (0: no cap, the old behaviour)
  and the platform key pointing at the fake server.

Per cap: B asks ``--questions`` questions one after another, alone (each waits for its answer), then
A sends ``--burst`` questions at once (each a new conversation) and B asks its questions again,
while A's burst is being answered. A question's latency is from the moment the service returns
(question stored, task sent) to the answer's ``end`` event in its Redis stream, i.e. queueing +
generation as the browser sees it, without the HTTP round trips. Rate limits are off in this
process (the burst is what is measured, not its refusal).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--caps", default="0,2", help="GENERATIONS_PER_TENANT values to run (default 0,2)")
    parser.add_argument("--concurrency", type=int, default=4, help="worker processes (default 4)")
    parser.add_argument("--burst", type=int, default=30, help="A's questions sent at once (default 30)")
    parser.add_argument("--questions", type=int, default=10, help="B's questions per phase (default 10)")
    parser.add_argument("--words", type=int, default=30, help="words per answer (default 30)")
    parser.add_argument("--chunk-delay", type=float, default=0.03, help="seconds between chunks (default 0.03)")
    return parser.parse_args()


ARGS = _parse_args() if __name__ == "__main__" else argparse.Namespace()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["QUESTIONS_PER_MINUTE_USER"] = "0"  # this process sends the burst through the services
os.environ["QUESTIONS_PER_MINUTE_TENANT"] = "0"

from bench.stats import pct  # noqa: E402
from bench.stream_common import (  # noqa: E402 - sets up Django first
    bench_tenant,
    child_env,
    cleanup,
    machine,
    settings,
    sigterm_as_interrupt,
    start,
    stop_children,
)
from orchestration.testing.fake_llm import FakeLLM  # noqa: E402

TENANTS = {"a": ("bench-fair-a", "owner@bench-fair-a.example"), "b": ("bench-fair-b", "owner@bench-fair-b.example")}


def wait_worker(proc, timeout: float = 60) -> None:
    from config.celery_app import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Celery worker exited; see {settings.DATA_DIR / 'logs' / 'celery.log'}")
        if app.control.ping(timeout=0.5):
            return
    raise RuntimeError("the Celery worker did not answer a ping within 60 s")


def ask(tenant, owner, text: str) -> tuple[str, str, float]:
    """A new conversation with ``text``; returns (schema, answer id, when the service returned)."""
    from django_tenants.utils import schema_context

    from chat.models import Message
    from chat.services import conversation_start

    with schema_context(tenant.schema_name):
        conversation = conversation_start(user=owner, content=text)
        sent = time.monotonic()
        answer_id = str(
            Message.objects.filter(conversation=conversation, role="assistant").values_list("pk", flat=True)[0]
        )
    return tenant.schema_name, answer_id, sent


def wait_end(schema: str, answer_id: str, timeout: float = 300) -> tuple[float, str]:
    """Block on the answer's Redis stream until its ``end`` event; returns (when, final status)."""
    import json

    from chat.streaming import keys

    key = keys.stream_key(answer_id, schema)
    r = keys.client()
    last = "0"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for _key, entries in r.xread({key: last}, block=1000) or []:
            for event_id, fields in entries:
                last = event_id
                if fields["type"] == keys.END:
                    return time.monotonic(), json.loads(fields["data"]).get("status", "?")
    raise RuntimeError(f"no end event for {answer_id} within {timeout} s")


def b_latencies(tenant, owner, n: int, label: str) -> list[float]:
    out = []
    for i in range(n):
        schema, answer_id, sent = ask(tenant, owner, f"{label} question {i} from B")
        ended, status = wait_end(schema, answer_id)
        if status != "complete":
            raise RuntimeError(f"B's answer ended {status}")
        out.append(ended - sent)
    return out


def row(name: str, values_s: list[float]) -> str:
    return (
        f"  {name:<46} p50 {pct(values_s, 0.5):6.2f} s   p95 {pct(values_s, 0.95):6.2f} s   max {max(values_s):6.2f} s"
    )


def run_cap(cap: int, args, fake: FakeLLM, tenants) -> dict:
    env = child_env(
        OPENAI_API_KEY="sk-bench",
        OPENAI_BASE_URL=fake.openai_base_url,
        ANTHROPIC_API_KEY="",
        PERPLEXITY_API_KEY="",
        GENERATIONS_PER_TENANT=str(cap),
    )
    worker = start(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning", "-Q", "celery,orchestration",
         "--without-gossip", "--without-mingle", "--pool", "prefork", "-c", str(args.concurrency)],
        env,
        settings.DATA_DIR / "logs" / f"celery-fairness-{cap}.log",
    )  # fmt: skip
    try:
        wait_worker(worker)
        (ta, oa), (tb, ob) = tenants["a"], tenants["b"]
        b_latencies(tb, ob, 2, "warm-up")
        alone = b_latencies(tb, ob, args.questions, "alone")
        t0 = time.monotonic()
        burst = [ask(ta, oa, f"burst question {i} from A") for i in range(args.burst)]
        during = b_latencies(tb, ob, args.questions, "during")
        a_ends = [wait_end(schema, answer_id)[0] - sent for schema, answer_id, sent in burst]
        a_total = time.monotonic() - t0
        return {"alone": alone, "during": during, "a": a_ends, "a_total": a_total}
    finally:
        stop_children()


def main(args: argparse.Namespace) -> int:
    sigterm_as_interrupt()
    caps = [int(c) for c in args.caps.split(",") if c.strip()]
    text = " ".join(f"word{i}" for i in range(args.words))
    results = {}
    with FakeLLM() as fake:
        fake.behave(text=text, first_delay=0, chunk_delay=args.chunk_delay)
        tenants = {k: bench_tenant(sub, email) for k, (sub, email) in TENANTS.items()}
        from billing.services import subscription_set_plan_by_code

        for tenant, _owner in tenants.values():  # a burst of questions at once: no plan limit in the way
            subscription_set_plan_by_code(tenant, "enterprise")  # (free allows 2 concurrent sessions, ADR 0013)
        for cap in caps:
            results[cap] = run_cap(cap, args, fake, tenants)
    print(f"\nfairness: B's answer latency (service returned -> end event); {machine()}")
    print(
        f"worker prefork x{args.concurrency}; fake provider {args.words} words, {args.chunk_delay * 1000:.0f} ms "
        f"between chunks; A's burst {args.burst} questions at once; B {args.questions} questions per phase"
    )
    for cap, r in results.items():
        print(f"GENERATIONS_PER_TENANT={cap}" + (" (no cap: one shared queue, as before)" if cap == 0 else ""))
        print(row("B alone", r["alone"]))
        print(row(f"B during A's burst of {args.burst}", r["during"]))
        print(f"  B's first question after the burst was sent: {r['during'][0]:.2f} s")
        print(row("A's burst answers (each, from its send)", r["a"]))
        print(f"  A's burst fully answered after {r['a_total']:.1f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(ARGS))
    finally:
        cleanup()
