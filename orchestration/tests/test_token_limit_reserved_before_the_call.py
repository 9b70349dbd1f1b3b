"""Tokens per minute are reserved (an estimate) before a call, in one atomic step, and corrected
with the real usage after it: parallel calls admit exactly what fits in the limit."""

import threading
import uuid

import pytest

from orchestration import resilience
from orchestration.pricing import estimate_tokens
from orchestration.providers import Call, ProviderConfig, ProviderError, get
from orchestration.resilience import RateLimiter


@pytest.fixture(autouse=True)
def _one_minute(monkeypatch):
    monkeypatch.setattr(resilience, "now", lambda: 7 * 60.0, raising=False)  # every reservation in the same window


def parallel(n: int, fn) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        barrier.wait()
        results[i] = fn()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_it_admits_exactly_the_limit_of_parallel_reservations():
    schema = f"tpm_{uuid.uuid4().hex[:8]}"
    verdicts = parallel(30, lambda: RateLimiter(schema, "openai", rpm=None, tpm=1000).acquire(100))
    assert verdicts.count(None) == 10
    assert verdicts.count("tokens") == 20


def test_it_admits_exactly_the_limit_of_parallel_requests():
    schema = f"rpm_{uuid.uuid4().hex[:8]}"
    verdicts = parallel(25, lambda: RateLimiter(schema, "openai", rpm=7, tpm=None).acquire())
    assert verdicts.count(None) == 7 and verdicts.count("requests") == 18


def test_it_returns_what_a_call_did_not_use_and_charges_what_it_used_beyond():
    schema = f"tpm_{uuid.uuid4().hex[:8]}"
    first = RateLimiter(schema, "openai", rpm=None, tpm=1000)
    assert first.acquire(600) is None
    assert RateLimiter(schema, "openai", rpm=None, tpm=1000).acquire(600) == "tokens"
    first.reconcile(150)  # the answer was short
    assert RateLimiter(schema, "openai", rpm=None, tpm=1000).acquire(600) is None  # 150 + 600 fit
    third = RateLimiter(schema, "openai", rpm=None, tpm=1000)
    assert third.acquire(100) is None  # 850 + 100
    third.reconcile(400)  # the answer was long: 150 + 600 + 400
    assert RateLimiter(schema, "openai", rpm=None, tpm=1000).acquire(1) == "tokens"


def test_it_admits_only_the_calls_that_fit_while_they_all_stream(fake_llm):
    """Real calls through the SDK: each holds its reservation while the fake server keeps it
    streaming; the ones beyond the limit are refused before they send anything."""
    fake_llm.behave("gpt-4o", text="one two three", hang_after=1, hang_seconds=30)
    cfg = ProviderConfig(provider="openai", api_key="sk-tpm", base_url=fake_llm.openai_base_url, models=("gpt-4o",),
                         default_model="gpt-4o", schema=f"tpm_{uuid.uuid4().hex[:8]}", read_timeout=30,
                         total_timeout=60, max_retries=0)  # fmt: skip
    messages = [{"role": "user", "content": "Hi"}]
    estimate = estimate_tokens("Hi") + 50  # the prompt, and the answer's max_tokens (below the usual estimate)
    cfg = ProviderConfig(**{**cfg.__dict__, "tpm": 4 * estimate})
    calls = [Call(get(cfg), messages=messages, max_tokens=50) for _ in range(12)]
    streams = [iter(c) for c in calls]

    def first_chunk(i):
        try:
            return next(streams[i])
        except ProviderError as err:
            return err.code

    index = iter(range(12))
    lock = threading.Lock()

    def take():
        with lock:
            i = next(index)
        return first_chunk(i)

    results = parallel(12, take)
    for s in streams:
        s.close()
    assert results.count("one") == 4
    assert results.count("local_rate_limit") == 8
    assert len(fake_llm.requests_for("gpt-4o")) == 4
