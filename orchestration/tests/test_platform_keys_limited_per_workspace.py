"""Calls through the platform's keys are limited per workspace by default (ORCHESTRATION_PLATFORM_RPM,
60 a minute), so one workspace cannot spend the platform's vendor quota; a workspace's own key
keeps its own limit (none unless its admin sets one)."""

import pytest

from orchestration import resilience, selectors
from orchestration.providers import Call, ProviderError, get

HI = [{"role": "user", "content": "Hi"}]


@pytest.fixture(autouse=True)
def _one_minute(monkeypatch):
    monkeypatch.setattr(resilience, "now", lambda: 11 * 60.0, raising=False)


def _openai(tenant, in_tenant):
    with in_tenant(tenant):
        (config,) = [c for c in selectors.provider_configs() if c.provider == "openai"]
    return config


def test_it_limits_each_workspace_on_the_platform_key_by_default(fake_llm, tenant_a, tenant_b, in_tenant, credential):
    fake_llm.platform("openai")
    platform_a = _openai(tenant_a, in_tenant)
    assert platform_a.platform
    for _ in range(60):
        Call(get(platform_a), messages=HI).run()
    with pytest.raises(ProviderError) as info:
        Call(get(platform_a), messages=HI).run()
    assert info.value.code == "local_rate_limit"
    assert len(fake_llm.requests_for("gpt-4o")) == 60
    assert Call(get(_openai(tenant_b, in_tenant)), messages=HI).run().text  # another workspace is not affected
    with in_tenant(tenant_a):
        credential("openai", models=["gpt-4o"])  # the workspace's own key: its own (unset) limit
    own = _openai(tenant_a, in_tenant)
    assert not own.platform
    assert Call(get(own), messages=HI).run().text
    assert len(fake_llm.requests_for("gpt-4o")) == 62
