import pytest

from orchestration import resilience
from orchestration.resilience import RateLimiter
from orchestration.tests.conftest import ask, last, run, text_of


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    """Keep every call of a test at the start of the same minute (no flake at a minute boundary)."""
    monkeypatch.setattr(resilience, "now", lambda: 42 * 60.0)


def test_it_enforces_requests_per_minute_and_falls_back(fake_llm, tenant_a, in_tenant, credential):
    fake_llm.platform("anthropic")
    fake_llm.behave("claude-sonnet-4-6", text="From Anthropic.")
    with in_tenant(tenant_a):
        credential("openai", models=["gpt-4o"], requests_per_minute=2)
        run(ask())
        run(ask())
        events = run(ask())
    assert len(fake_llm.requests_for("gpt-4o")) == 2
    assert text_of(events) == "From Anthropic."
    assert last(events, "done").data["meta_data"]["orchestration"]["fallbacks"][0]["code"] == "local_rate_limit"


def test_it_enforces_tokens_per_minute(fake_llm, tenant_a, in_tenant, credential):
    fake_llm.behave("gpt-4o", text="a b c", prompt_tokens=100)
    with in_tenant(tenant_a):
        credential("openai", models=["gpt-4o"], tokens_per_minute=100)
        run(ask())  # uses 103 tokens
        events = run(ask())
    assert len(fake_llm.requests_for("gpt-4o")) == 1
    error = last(events, "error").data
    assert "per-minute limit" in error["message"]


def test_it_counts_per_tenant(fake_llm, tenant_a, tenant_b):
    a = RateLimiter(tenant_a.schema_name, "openai", rpm=1, tpm=None)
    b = RateLimiter(tenant_b.schema_name, "openai", rpm=1, tpm=None)
    assert a.acquire() is None
    assert a.acquire() == "requests"
    assert b.acquire() is None
