"""SDK clients are reused, but the cache is keyed by a digest of the API key: the plaintext key is
never a cache key (it would stay in the process's memory as one for as long as the process runs)."""

import gc

from orchestration.providers import ProviderConfig, get
from orchestration.providers import anthropic as anthropic_module
from orchestration.providers import openai as openai_module

KEY = "sk-cache-test-PLAINTEXT-0123456789"


def config(provider: str, key: str = KEY) -> ProviderConfig:
    return ProviderConfig(provider=provider, api_key=key, base_url="http://127.0.0.1:9/v1", models=("m",),
                          default_model="m", schema="test_client_cache")  # fmt: skip


def containers_holding(secret: str) -> list:
    """Tuples and lists (cache keys: lru_cache's are lists) anywhere in the heap that hold ``secret``.
    ``type()``, not ``isinstance()``: isinstance asks a lazy object (django-csp's request nonce) to
    evaluate itself, which it refuses after its response."""
    gc.collect()
    return [
        o
        for o in gc.get_objects()
        if issubclass(type(o), tuple | list) and any(isinstance(x, str) and x == secret for x in o)
    ]


def test_it_reuses_a_client_and_keeps_the_key_out_of_the_cache_keys():
    key = "".join(["sk-cache-test-", "PLAINTEXT-0123456789-unique"])  # a fresh string object for this test
    first = get(config("openai", key)).client()
    assert get(config("openai", key)).client() is first
    assert get(config("anthropic", key)).client() is not None
    for cache in (openai_module.CLIENTS, anthropic_module.CLIENTS):
        assert all(key not in entry for entry in cache.keys())
    assert containers_holding(key) == []


def test_it_builds_a_new_client_for_a_rotated_key():
    old = get(config("openai", KEY + "-old")).client()
    new = get(config("openai", KEY + "-new")).client()
    assert old is not new
    assert new.api_key == KEY + "-new"
