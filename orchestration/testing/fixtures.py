"""Pytest fixtures for every app: the fake LLM server, platform keys, tenant provider credentials.

Registered by the root conftest (``pytest_plugins``), so chat tests can drive the real SDKs too."""

from __future__ import annotations

import pytest

from orchestration import resilience
from orchestration.testing.fake_llm import FakeLLM

PLATFORM = {
    "openai": ("OPENAI_API_KEY", "OPENAI_BASE_URL", "openai_base_url"),
    "anthropic": ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "anthropic_base_url"),
    "perplexity": ("PERPLEXITY_API_KEY", "PERPLEXITY_BASE_URL", "perplexity_base_url"),
}


class FakeLLMFixture:
    """The session's fake server, plus helpers that point this test's settings at it."""

    def __init__(self, server: FakeLLM, settings) -> None:
        self.server = server
        self._settings = settings

    def __getattr__(self, name):
        return getattr(self.server, name)

    def platform(self, *providers: str) -> None:
        """Give the platform keys for ``providers`` (and none for the others)."""
        for provider, (key, url, attr) in PLATFORM.items():
            setattr(self._settings, key, f"sk-platform-{provider}" if provider in providers else "")
            setattr(self._settings, url, getattr(self.server, attr))

    def base_url(self, provider: str) -> str:
        return getattr(self.server, PLATFORM[provider][2]) if provider in PLATFORM else self.server.openai_base_url


@pytest.fixture(scope="session")
def _fake_server():
    server = FakeLLM()
    yield server
    server.close()


def _clear_redis_state():
    r = resilience.client()
    keys = list(r.scan_iter(match=f"{resilience.PREFIX}:*", count=500))
    if keys:
        r.delete(*keys)


@pytest.fixture
def fake_llm(_fake_server, settings, db):
    """The fake provider server with this test's settings pointing at it (no platform keys until
    ``fake_llm.platform(...)``); short timeouts and one SDK retry so failures are quick."""
    _fake_server.reset()
    _clear_redis_state()
    settings.ORCHESTRATION_MAX_RETRIES = 1
    settings.ORCHESTRATION_CHUNK_GAP_TIMEOUT = 0.5
    settings.ORCHESTRATION_CONNECT_TIMEOUT = 1.0
    settings.ORCHESTRATION_BREAKER_THRESHOLD = 5
    fixture = FakeLLMFixture(_fake_server, settings)
    fixture.platform()
    yield fixture
    _clear_redis_state()


@pytest.fixture
def credential(fake_llm, owner):
    """``credential("openai", key="sk-tenant", models=[...])``: a tenant key (call inside in_tenant)."""
    from orchestration.models import ProviderCredential
    from orchestration.services import credential_save

    def make(provider: str, *, key: str = "sk-tenant-key-123456", models=None, default_model="", user=owner, **fields):
        cred = ProviderCredential(
            provider=provider,
            # vendors' endpoints are fixed (the fake server through OPENAI_BASE_URL etc.); only an
            # OpenAI-compatible server takes a base URL (allow 127.0.0.1: PROVIDER_ALLOWED_HOSTS)
            base_url=fields.pop("base_url", fake_llm.base_url(provider) if provider not in PLATFORM else ""),
            model_names=models or [],
            default_model=default_model or (models[0] if models else ""),
            **fields,
        )
        return credential_save(credential=cred, user=user, api_key=key)

    return make
