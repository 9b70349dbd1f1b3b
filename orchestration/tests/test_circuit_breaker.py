from orchestration import resilience
from orchestration.resilience import CircuitBreaker
from orchestration.tests.conftest import ask, last, run, text_of


def test_it_opens_after_repeated_failures_and_skips_the_provider(fake_llm, tenant_a, in_tenant, settings):
    settings.ORCHESTRATION_BREAKER_THRESHOLD = 2
    fake_llm.platform("openai", "anthropic")
    fake_llm.behave("gpt-4o", status=500)
    fake_llm.behave("claude-sonnet-4-6", text="Fallback.")
    with in_tenant(tenant_a):
        run(ask())
        run(ask())
        assert CircuitBreaker(tenant_a.schema_name, "openai").state() == "open"
        before = len(fake_llm.requests_for("gpt-4o"))
        events = run(ask())
    assert len(fake_llm.requests_for("gpt-4o")) == before  # not called while open
    assert text_of(events) == "Fallback."


def test_it_lets_one_trial_through_after_the_cooldown_and_closes_on_success(
    fake_llm, tenant_a, in_tenant, settings, monkeypatch
):
    settings.ORCHESTRATION_BREAKER_THRESHOLD = 1
    settings.ORCHESTRATION_BREAKER_COOLDOWN = 30
    clock = [1000.0]
    monkeypatch.setattr(resilience, "now", lambda: clock[0])
    CircuitBreaker(tenant_a.schema_name, "openai").record_failure()
    assert CircuitBreaker(tenant_a.schema_name, "openai").allow() is False
    clock[0] += 31  # the cooldown is over
    probe = CircuitBreaker(tenant_a.schema_name, "openai")
    assert probe.state() == "half_open"
    assert probe.allow() is True
    assert CircuitBreaker(tenant_a.schema_name, "openai").allow() is False  # only one trial at a time
    probe.record_success()
    assert probe.state() == "closed" and CircuitBreaker(tenant_a.schema_name, "openai").allow() is True


def test_it_keeps_breakers_per_tenant(fake_llm, tenant_a, tenant_b, settings):
    settings.ORCHESTRATION_BREAKER_THRESHOLD = 1
    CircuitBreaker(tenant_a.schema_name, "openai").record_failure()
    assert CircuitBreaker(tenant_a.schema_name, "openai").is_open()
    assert not CircuitBreaker(tenant_b.schema_name, "openai").is_open()


def test_it_records_a_failing_tenant_key_in_that_tenant_only(fake_llm, tenant_a, tenant_b, in_tenant, settings):
    settings.ORCHESTRATION_BREAKER_THRESHOLD = 1
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", status=500)
    with in_tenant(tenant_a):
        assert last(run(ask()), "error")
    assert CircuitBreaker(tenant_a.schema_name, "openai").is_open()
    assert not CircuitBreaker(tenant_b.schema_name, "openai").is_open()
