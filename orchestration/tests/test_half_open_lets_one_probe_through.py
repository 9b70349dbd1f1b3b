"""After the cooldown an open circuit lets exactly one probe call through, decided in one atomic
Redis step: parallel callers get one probe between them, a probe that outlasts the cooldown stays
the only one, and outcomes of calls that started before the circuit opened change nothing."""

import threading
import uuid

import pytest

from orchestration import resilience
from orchestration.providers import Call, ProviderConfig, ProviderError, get
from orchestration.resilience import CircuitBreaker


@pytest.fixture
def clock(monkeypatch, settings):
    settings.ORCHESTRATION_BREAKER_THRESHOLD = 2
    settings.ORCHESTRATION_BREAKER_COOLDOWN = 30
    now = [10_000.0]
    monkeypatch.setattr(resilience, "now", lambda: now[0], raising=False)
    return now


@pytest.fixture
def schema():
    return f"cb_{uuid.uuid4().hex[:8]}"


def opened(schema: str) -> None:
    for _ in range(2):
        CircuitBreaker(schema, "openai").record_failure()
    assert CircuitBreaker(schema, "openai").state() == "open"


def parallel_allows(schema: str, n: int = 20) -> list[CircuitBreaker]:
    breakers = [CircuitBreaker(schema, "openai") for _ in range(n)]
    barrier = threading.Barrier(n)
    admitted: list = []

    def go(b):
        barrier.wait()
        if b.allow():
            admitted.append(b)

    threads = [threading.Thread(target=go, args=(b,)) for b in breakers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return admitted


def test_it_admits_exactly_one_of_parallel_callers_after_the_cooldown(clock, schema):
    opened(schema)
    assert parallel_allows(schema) == []  # still cooling down
    clock[0] += 31
    assert len(parallel_allows(schema)) == 1


def test_a_probe_that_outlasts_the_cooldown_stays_the_only_one(clock, schema):
    opened(schema)
    clock[0] += 31
    (probe,) = parallel_allows(schema)
    clock[0] += 120  # the probe is still streaming, long after another cooldown would have passed
    assert parallel_allows(schema) == []
    probe.record_success()
    assert CircuitBreaker(schema, "openai").state() == "closed"
    assert len(parallel_allows(schema, 5)) == 5


def test_the_probes_failure_reopens_and_the_next_cooldown_gives_one_new_probe(clock, schema):
    opened(schema)
    clock[0] += 31
    (probe,) = parallel_allows(schema)
    probe.record_failure()
    assert CircuitBreaker(schema, "openai").state() == "open"
    assert parallel_allows(schema) == []
    clock[0] += 31
    assert len(parallel_allows(schema)) == 1


def test_a_call_from_before_the_opening_does_not_close_the_circuit(clock, schema):
    early = CircuitBreaker(schema, "openai")
    assert early.allow()  # admitted while closed; still running when the circuit opens
    opened(schema)
    early.record_success()
    assert CircuitBreaker(schema, "openai").state() == "open"
    clock[0] += 31
    (probe,) = parallel_allows(schema)
    early.record_success()  # ... nor ends the probe's half-open turn
    assert parallel_allows(schema) == []
    early.record_failure()  # ... nor re-opens it
    assert CircuitBreaker(schema, "openai").state() == "half_open"
    probe.record_success()
    assert CircuitBreaker(schema, "openai").state() == "closed"


def test_a_lost_probe_is_replaced_after_the_longest_call(clock, schema, settings):
    opened(schema)
    clock[0] += 31
    assert len(parallel_allows(schema)) == 1  # its worker dies: it never reports
    clock[0] += settings.ORCHESTRATION_CALL_DEADLINE + 61
    assert len(parallel_allows(schema)) == 1


def test_only_the_probe_reaches_the_provider(fake_llm, clock, schema):
    """Real calls through the SDK in half-open: one request reaches the fake server, which keeps
    that probe streaming; every other call is skipped without sending anything."""
    fake_llm.behave("gpt-4o", text="one two three", hang_after=1, hang_seconds=30)
    cfg = ProviderConfig(provider="openai", api_key="sk-probe", base_url=fake_llm.openai_base_url,
                         models=("gpt-4o",), default_model="gpt-4o", schema=schema, read_timeout=30,
                         total_timeout=60, max_retries=0)  # fmt: skip
    opened(schema)
    clock[0] += 31
    calls = [iter(Call(get(cfg), messages=[{"role": "user", "content": "Hi"}])) for _ in range(8)]
    barrier = threading.Barrier(len(calls))
    results: list = []

    def first(stream):
        barrier.wait()
        try:
            results.append(next(stream))
        except ProviderError as err:
            results.append(err.code)

    threads = [threading.Thread(target=first, args=(s,)) for s in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in calls:
        s.close()
    assert sorted(results) == ["circuit_open"] * 7 + ["one"]
    assert len(fake_llm.requests_for("gpt-4o")) == 1
