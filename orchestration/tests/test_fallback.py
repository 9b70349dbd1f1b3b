"""A failing provider falls back to the next one; the user gets an answer."""

import pytest

from orchestration.tests.conftest import ask, last, run, text_of


@pytest.mark.parametrize(
    "failure",
    [{"status": 500}, {"first_delay": 2.0}, {"status": 401}, {"status": 429}],
    ids=["server-error", "timeout", "bad-key", "rate-limit"],
)
def test_it_falls_back_to_the_next_provider_before_any_text(fake_llm, tenant_a, in_tenant, failure):
    fake_llm.platform("openai", "anthropic")
    fake_llm.behave("gpt-4o", **failure)
    fake_llm.behave("claude-sonnet-4-6", text="Anthropic answers instead.")
    with in_tenant(tenant_a):
        events = run(ask())
    assert text_of(events) == "Anthropic answers instead."
    done = last(events, "done").data
    assert done["model_name"] == "anthropic:claude-sonnet-4-6"
    fallbacks = done["meta_data"]["orchestration"]["fallbacks"]
    assert [f["provider"] for f in fallbacks] == ["openai"]
    failed_phase = [e for e in events if e.type == "phase" and e.data.get("ok") is False]
    assert failed_phase and failed_phase[0].data["provider"] == "openai"


def test_it_falls_back_when_a_provider_hangs_mid_stream(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai", "anthropic")
    fake_llm.behave("gpt-4o", text="The capital is", hang_after=2, hang_seconds=5)
    fake_llm.behave("claude-sonnet-4-6", text="Ljubljana.")
    with in_tenant(tenant_a):
        events = run(ask())
    text = text_of(events)
    assert text.startswith("The capital")
    assert "stopped answering" in text
    assert text.endswith("Ljubljana.")
    meta = last(events, "done").data["meta_data"]
    assert meta["orchestration"]["fallbacks"][0]["code"] == "timeout"
    assert meta["orchestration"]["providers_used"] == ["anthropic"]


def test_it_falls_back_on_a_malformed_stream(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai", "anthropic")
    fake_llm.behave("gpt-4o", text="a b c", malformed_after=0)
    fake_llm.behave("claude-sonnet-4-6", text="Readable.")
    with in_tenant(tenant_a):
        events = run(ask())
    assert text_of(events) == "Readable."


def test_it_does_not_fall_back_on_a_refusal(fake_llm, tenant_a, in_tenant):
    fake_llm.platform("openai", "anthropic")
    fake_llm.behave("gpt-4o", text="", refusal=True)
    with in_tenant(tenant_a):
        events = run(ask())
    error = last(events, "error").data
    assert error["code"] == "refusal" and error["retryable"] is False
    assert "declined" in error["message"]
    assert fake_llm.requests_for("claude-sonnet-4-6") == []
