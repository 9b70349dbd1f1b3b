"""The per-process cache of a tenant's settings and credentials: read once, never stale, never shared."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from orchestration import selectors, services
from orchestration.models import OrchestrationSettings, ProviderCredential


@pytest.fixture
def in_a(in_tenant, tenant_a):
    with in_tenant(tenant_a):
        yield


def _openai(configs):
    return next(c for c in configs if c.provider == "openai")


def test_it_reads_settings_and_credentials_once(in_a, fake_llm, django_assert_num_queries):
    fake_llm.platform("openai")
    selectors.provider_configs()
    with django_assert_num_queries(0):
        snapshot = selectors.settings_snapshot()
        configs = selectors.provider_configs(snapshot)
        assert selectors.openai_config() is not None
    assert _openai(configs).platform


def test_it_sees_saved_settings_at_once(in_a, fake_llm, owner, django_capture_on_commit_callbacks):
    assert selectors.settings_snapshot().default_temperature == 0.7  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        services.settings_update(user=owner, default_temperature=0.2, openai_model="gpt-4o-mini")
    assert selectors.settings_snapshot().default_temperature == 0.2
    fake_llm.platform("openai")
    assert _openai(selectors.provider_configs()).default_model == "gpt-4o-mini"


def test_it_sees_a_new_a_rotated_and_a_deleted_credential_at_once(
    in_a, fake_llm, owner, django_capture_on_commit_callbacks
):
    fake_llm.platform("openai")
    assert _openai(selectors.provider_configs()).platform  # cached: the platform key
    cred = ProviderCredential(provider="openai", model_names=["gpt-4o"])
    with django_capture_on_commit_callbacks(execute=True):
        services.credential_save(credential=cred, user=owner, api_key="sk-tenant-first-1234")
    assert _openai(selectors.provider_configs()).api_key == "sk-tenant-first-1234"
    with django_capture_on_commit_callbacks(execute=True):
        services.credential_save(credential=cred, user=owner, api_key="sk-tenant-second-5678")
    assert _openai(selectors.provider_configs()).api_key == "sk-tenant-second-5678"
    with django_capture_on_commit_callbacks(execute=True):
        services.credential_delete(credential=cred, user=owner)
    assert _openai(selectors.provider_configs()).platform


def test_it_rereads_when_another_process_saved(in_a, fake_llm, django_assert_num_queries):
    selectors.settings_snapshot()
    OrchestrationSettings.objects.update_or_create(singleton=True, defaults={"default_max_tokens": 123})
    selectors.config_cache_clear()  # as if the save had happened elsewhere: only the shared token changed
    selectors.settings_snapshot()
    OrchestrationSettings.objects.filter(singleton=True).update(default_max_tokens=456)  # no signal, no new token
    with django_assert_num_queries(0):
        assert selectors.settings_snapshot().default_max_tokens == 123  # served from this process's cache
    cache.set(selectors.CONFIG.version_key, "changed-by-another-process")  # in tenant A's schema
    assert selectors.settings_snapshot().default_max_tokens == 456


def test_it_never_caches_a_change_that_is_rolled_back(in_a, fake_llm, owner):
    fake_llm.platform("openai")
    assert _openai(selectors.provider_configs()).platform
    with pytest.raises(RuntimeError), transaction.atomic():
        cred = ProviderCredential(provider="openai", model_names=["gpt-4o"])
        services.credential_save(credential=cred, user=owner, api_key="sk-rolled-back-1234")
        assert _openai(selectors.provider_configs()).api_key == "sk-rolled-back-1234"  # its own transaction sees it
        raise RuntimeError
    assert _openai(selectors.provider_configs()).platform


def test_it_keeps_no_key_in_the_shared_cache(in_a, fake_llm, credential):
    credential("openai", key="sk-secret-never-shared-42", models=["gpt-4o"])
    selectors.config_cache_clear()
    assert _openai(selectors.provider_configs()).api_key == "sk-secret-never-shared-42"
    client = cache._cache.get_client()
    for key in client.keys("*"):
        assert b"sk-secret-never-shared-42" not in (client.dump(key) or b"")
    cached = selectors.CONFIG._memo.values()  # (token, expiry, (snapshot, rows))
    assert cached and all("sk-secret" not in repr(row.__dict__) for entry in cached for row in entry[2][1])


def test_it_checks_the_shared_token_once_per_read(in_a, fake_llm, monkeypatch):
    fake_llm.platform("openai")
    selectors.snapshot_and_configs()
    calls = []
    real = selectors.CONFIG.version
    monkeypatch.setattr(selectors.CONFIG, "version", lambda schema=None: calls.append(1) or real(schema))
    snapshot, configs = selectors.snapshot_and_configs()  # the engine's start
    assert selectors.openai_config() is not None  # moderation
    assert len(calls) == 2 and _openai(configs).platform and snapshot.default_strategy
