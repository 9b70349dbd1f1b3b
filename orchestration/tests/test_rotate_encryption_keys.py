import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from orchestration.models import ProviderCredential
from orchestration.selectors import credential_api_key


def test_it_reencrypts_every_secret_with_the_first_key_and_keeps_them_readable(
    fake_llm, settings, tenant_a, tenant_b, in_tenant, credential, capsys, outsider
):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FERNET_KEYS = [old]
    with in_tenant(tenant_a):
        credential("openai", key="sk-a-openai", models=["gpt-4o"])
        credential("anthropic", key="sk-a-anthropic", models=["claude-sonnet-4-6"])
    with in_tenant(tenant_b):
        credential("perplexity", key="sk-b-perplexity", models=["sonar"], user=outsider)
    settings.FERNET_KEYS = [new, old]
    call_command("rotate_encryption_keys")
    out = capsys.readouterr().out
    assert "3 secret(s) re-encrypted" in out
    settings.FERNET_KEYS = [new]  # the old key is gone: everything must still open
    with in_tenant(tenant_a):
        keys = {c.provider: credential_api_key(c) for c in ProviderCredential.objects.all()}
    assert keys == {"openai": "sk-a-openai", "anthropic": "sk-a-anthropic"}
    with in_tenant(tenant_b):
        assert credential_api_key(ProviderCredential.objects.get()) == "sk-b-perplexity"


def test_it_fails_loudly_and_changes_nothing_when_a_secret_cannot_be_opened(
    fake_llm, settings, tenant_a, in_tenant, credential
):
    settings.FERNET_KEYS = [Fernet.generate_key().decode()]
    with in_tenant(tenant_a):
        stored = credential("openai", key="sk-a", models=["gpt-4o"]).encrypted_api_key
    settings.FERNET_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError):
        call_command("rotate_encryption_keys")
    with in_tenant(tenant_a):
        assert ProviderCredential.objects.get().encrypted_api_key == stored
