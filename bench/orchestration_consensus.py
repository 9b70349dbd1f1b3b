"""parallel_consensus wall time against the slowest provider, with the fake LLM server.

Three providers (OpenAI, Anthropic, Perplexity through their real SDKs) stream 20 chunks each
with different per-chunk latencies. Each round first calls every provider alone (the slowest of
those is the reference), then runs parallel_consensus through the engine and measures, from the
event stream, the time from the first "consensus started" to the last "consensus completed"
event (the parallel phase) and to the done event (including the synthesis call).

    .venv/bin/python bench/orchestration_consensus.py [--rounds 30]

Target: parallel phase / slowest provider <= 1.15.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from core import embedded  # noqa: E402
from orchestration import engine  # noqa: E402
from orchestration.providers import Call, ProviderConfig, get  # noqa: E402
from orchestration.selectors import SettingsSnapshot  # noqa: E402
from orchestration.testing.fake_llm import FakeLLM  # noqa: E402

LATENCY = {"gpt-4o": 0.010, "claude-sonnet-4-6": 0.015, "sonar": 0.020}  # seconds per chunk
TEXT = " ".join(f"word{i}" for i in range(20))


def configs(fake: FakeLLM) -> list[ProviderConfig]:
    common = {"schema": "bench", "read_timeout": 5, "connect_timeout": 2, "total_timeout": 30, "max_retries": 0}
    return [
        ProviderConfig("openai", "k", fake.openai_base_url, ("gpt-4o",), "gpt-4o", **common),
        ProviderConfig(
            "anthropic",
            "k",
            fake.anthropic_base_url,
            ("claude-sonnet-4-6",),
            "claude-sonnet-4-6",
            **common,
        ),  # fmt: skip
        ProviderConfig("perplexity", "k", fake.perplexity_base_url, ("sonar",), "sonar", **common),
    ]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    snapshot = SettingsSnapshot(max_cost_per_query=Decimal("0"), default_strategy="parallel_consensus")
    phase_ratio, total_ratio, slowest_ms, phase_ms = [], [], [], []
    with FakeLLM() as fake:
        for model, delay in LATENCY.items():
            fake.behave(model, text=TEXT, chunk_delay=delay)
        cfgs = configs(fake)
        messages = [{"role": "user", "content": "What is the capital of Slovenia?"}]
        request = engine.Request(transcript=[engine.Turn("user", "What is the capital of Slovenia?")],
                                 strategy="parallel_consensus")  # fmt: skip
        for _ in range(args.rounds):
            alone = []
            for cfg in cfgs:
                t = time.perf_counter()
                Call(get(cfg), messages=messages).run()
                alone.append(time.perf_counter() - t)
            slowest = max(alone)
            t0 = time.perf_counter()
            first_start = last_done = None
            for event in engine.run_prepared(request, settings=snapshot, configs=cfgs):
                now = time.perf_counter()
                if event.type == "phase" and event.data["name"] == "consensus":
                    if event.data["status"] == "started" and first_start is None:
                        first_start = now
                    if event.data["status"] == "completed":
                        last_done = now
                if event.type == "error":
                    raise SystemExit(f"consensus failed: {event.data}")
            total = time.perf_counter() - t0
            phase = last_done - first_start
            slowest_ms.append(slowest * 1000)
            phase_ms.append(phase * 1000)
            phase_ratio.append(phase / slowest)
            total_ratio.append(total / slowest)
    print(f"rounds: {args.rounds}; per-chunk latency {LATENCY}; 20 chunks each")
    print(f"slowest provider alone:          p50 {pct(slowest_ms, 50):7.1f} ms  p95 {pct(slowest_ms, 95):7.1f} ms")
    print(f"consensus parallel phase:        p50 {pct(phase_ms, 50):7.1f} ms  p95 {pct(phase_ms, 95):7.1f} ms")
    print(f"parallel phase / slowest:        p50 {pct(phase_ratio, 50):.3f}  p95 {pct(phase_ratio, 95):.3f}"
          f"  (target <= 1.15)")  # fmt: skip
    print(f"whole run incl. synthesis / slowest: p50 {pct(total_ratio, 50):.3f}  p95 {pct(total_ratio, 95):.3f}")
    print(f"mean parallel phase / slowest: {statistics.mean(phase_ratio):.3f}")


if __name__ == "__main__":
    try:
        main()
    finally:
        mine = embedded.started_by_me(settings.DATA_DIR)
        if mine:
            embedded.stop_services(settings.DATA_DIR, names=mine)
