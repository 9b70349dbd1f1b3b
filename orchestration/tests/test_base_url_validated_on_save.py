"""A tenant admin may set a base URL only for an OpenAI-compatible server, and only a plain
http(s) base URL that is not on an internal network (unless the operator allows the host)."""

import pytest
from django.core.exceptions import ValidationError

from orchestration.egress import validate_base_url
from orchestration.models import ProviderCredential

REFUSED = [
    "ftp://llm.example.com/v1",  # scheme
    "file:///etc/passwd",
    "gopher://llm.example.com:70/",
    "https://user:pass@llm.example.com/v1",  # user info
    "https://llm.example.com@169.254.169.254/v1",
    "https://llm.example.com/v1?key=x",  # query
    "https://llm.example.com/v1#frag",
    "https://llm.example.com/v1/../admin",  # path steering
    "https://llm.example.com/v1/%2e%2e/admin",
    "https://llm.example.com/v1;x=y",
    "https://llm.example.com//v1",
    "https://llm.example.com/v1\\admin",
    "http://127.0.0.1:11434/v1",  # internal addresses
    "http://localhost:11434/v1",
    "http://localhost.:11434/v1",
    "http://api.localhost/v1",
    "http://ollama:11434/v1",  # a single-label (internal) name
    "http://10.0.0.5/v1",
    "http://[::1]:8000/v1",
    "http://[fd00:ec2::254]/latest",
    "http://169.254.169.254/latest/meta-data",
    "http://metadata.google.internal/computeMetadata/v1",
    "http://100.64.0.1/v1",
    "http://2130706433/v1",  # 127.0.0.1 as a number
    "http://0x7f.1/v1",
    "http://127.1/v1",
]
ACCEPTED = [
    "https://llm.example.com/v1",
    "http://llm.example.com:8080",
    "https://api.together.xyz/v1/",
    "https://93.184.216.34/v1",
]


@pytest.mark.parametrize("url", REFUSED)
def test_it_refuses_what_is_not_a_plain_public_base_url(url):
    with pytest.raises(ValidationError):
        validate_base_url(url, provider="openai_compatible")


@pytest.mark.parametrize("url", ACCEPTED)
def test_it_accepts_a_plain_public_base_url(url):
    validate_base_url(url, provider="openai_compatible")


@pytest.mark.parametrize("provider", ["openai", "anthropic", "perplexity"])
def test_it_refuses_any_base_url_for_a_vendor(provider):
    with pytest.raises(ValidationError):
        validate_base_url("https://api.openai.com/v1", provider=provider)
    validate_base_url("", provider=provider)


def test_it_accepts_an_internal_host_the_operator_allows(settings):
    settings.PROVIDER_ALLOWED_HOSTS = ["localhost:11434", "ollama"]
    validate_base_url("http://localhost:11434/v1", provider="openai_compatible")
    validate_base_url("http://ollama:11434/v1", provider="openai_compatible")
    with pytest.raises(ValidationError):
        validate_base_url("http://localhost:6379/v1", provider="openai_compatible")


ADD_URL = "/admin/orchestration/providercredential/add/"


def _form(provider: str, base_url: str) -> dict:
    return {"provider": provider, "enabled": "on", "priority": 100, "new_api_key": "sk-x-123456",
            "base_url": base_url, "model_names": "llama3", "default_model": "llama3", "requests_per_minute": "",
            "tokens_per_minute": ""}  # fmt: skip


@pytest.mark.parametrize(
    ("provider", "base_url"),
    [("openai", "https://attacker.example/v1"), ("openai_compatible", "http://169.254.169.254/latest"),
     ("openai_compatible", "http://10.0.0.5:11434/v1"), ("openai_compatible", "https://user:pw@llm.example.com/v1")],
)  # fmt: skip
def test_it_refuses_the_url_in_the_admin_and_saves_nothing(owner_client, tenant_a, in_tenant, provider, base_url):
    response = owner_client.post(ADD_URL, _form(provider, base_url))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    with in_tenant(tenant_a):
        assert not ProviderCredential.objects.exists()


def test_it_saves_an_allowed_local_server_in_the_admin(owner_client, tenant_a, in_tenant, settings):
    settings.PROVIDER_ALLOWED_HOSTS = ["localhost:11434"]
    response = owner_client.post(ADD_URL, _form("openai_compatible", "http://localhost:11434/v1"))
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert ProviderCredential.objects.get().base_url == "http://localhost:11434/v1"


def test_it_gives_an_outsider_no_way_to_set_a_url(outsider_client, tenant_a, tenant_b, in_tenant):
    response = outsider_client.post(ADD_URL, _form("openai_compatible", "https://llm.example.com/v1"))
    assert response.status_code in (403, 404)  # not staff in any workspace
    for tenant in (tenant_a, tenant_b):
        with in_tenant(tenant):
            assert not ProviderCredential.objects.exists()
