"""A provider's redirect is an error, never followed: not by the SDK clients (vendor endpoints and
tenant-set ones alike) and not by check_providers. The fake server answers 307 to a path of its
own; a followed redirect would show up there as a request."""

import pytest
from django.core.management import CommandError, call_command

from orchestration.providers import Call, ProviderConfig, ProviderError, get

MODELS = {"openai": "gpt-4o", "anthropic": "claude-sonnet-4-6", "perplexity": "sonar", "openai_compatible": "llama3"}


def config(fake_llm, provider: str) -> ProviderConfig:
    return ProviderConfig(provider=provider, api_key="sk-test", base_url=fake_llm.base_url(provider),
                          models=(MODELS[provider],), default_model=MODELS[provider],
                          guarded=provider == "openai_compatible", schema="test_redirects", connect_timeout=1,
                          read_timeout=2, total_timeout=10, max_retries=0)  # fmt: skip


@pytest.mark.parametrize("provider", list(MODELS))
def test_it_does_not_follow_a_providers_redirect(fake_llm, provider, settings):
    settings.PROVIDER_ALLOWED_HOSTS = ["127.0.0.1"]
    fake_llm.behave(MODELS[provider], redirect_to=fake_llm.url + "/v1/redirected")
    with pytest.raises(ProviderError) as info:
        Call(get(config(fake_llm, provider)), messages=[{"role": "user", "content": "Hi"}]).run()
    assert info.value.status == 307
    assert len(fake_llm.requests_for(MODELS[provider])) == 1
    assert fake_llm.requests_for(path="/redirected") == []


def test_check_providers_does_not_follow_a_redirect(fake_llm, capsys):
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", redirect_to=fake_llm.url + "/v1/redirected")
    with pytest.raises(CommandError):
        call_command("check_providers", platform=True)
    assert "platform openai gpt-4o (platform key): FAILED" in capsys.readouterr().out
    assert fake_llm.requests_for(path="/redirected") == []
