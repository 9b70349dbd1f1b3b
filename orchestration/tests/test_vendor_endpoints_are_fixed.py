"""OpenAI, Anthropic and Perplexity are called at their own endpoints (or the operator's override
from the environment), whatever URL a workspace's credential row holds."""

from orchestration import selectors
from orchestration.models import ProviderCredential
from orchestration.tests.conftest import ask, run, text_of


def test_it_ignores_a_url_stored_on_a_vendor_credential(fake_llm, tenant_a, in_tenant, credential, settings):
    fake_llm.behave("gpt-4o", text="From the vendor endpoint.")
    with in_tenant(tenant_a):
        cred = credential("openai", models=["gpt-4o"])
        # a row from before the check (or written around it) pointing at the metadata service
        ProviderCredential.objects.filter(pk=cred.pk).update(base_url="http://169.254.169.254/latest/")
        selectors.config_cache_clear()
        (config,) = [c for c in selectors.provider_configs() if c.provider == "openai"]
        events = run(ask())
    assert config.base_url == settings.OPENAI_BASE_URL and not config.platform
    assert text_of(events) == "From the vendor endpoint."
    assert len(fake_llm.requests_for("gpt-4o")) == 1


def test_it_checks_only_tenant_set_urls_at_connect_time(fake_llm, tenant_a, in_tenant, credential, settings):
    settings.PROVIDER_ALLOWED_HOSTS = ["127.0.0.1"]
    fake_llm.platform("anthropic")
    with in_tenant(tenant_a):
        credential("openai", models=["gpt-4o"])
        credential("openai_compatible", key="", models=["llama3"])
        configs = {c.provider: c for c in selectors.provider_configs()}
    assert configs["openai_compatible"].guarded and configs["openai_compatible"].base_url == fake_llm.openai_base_url
    assert not configs["openai"].guarded and not configs["anthropic"].guarded  # the operator's endpoints
