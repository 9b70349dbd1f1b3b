"""rotate_encryption_keys and check_providers walk the ready workspaces one by one: a dropped schema is
reported, every other workspace is still done, and the command exits non-zero."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from orchestration.models import ProviderCredential
from orchestration.selectors import credential_api_key
from tenants.models import Tenant


def test_it_rotates_the_keys_of_every_other_workspace(
    fake_llm, settings, dropped_tenant, tenant_a, tenant_b, in_tenant, credential, outsider, capsys
):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FERNET_KEYS = [old]
    with in_tenant(tenant_a):
        credential("openai", key="sk-a-openai", models=["gpt-4o"])
    with in_tenant(tenant_b):
        credential("perplexity", key="sk-b-perplexity", models=["sonar"], user=outsider)
    settings.FERNET_KEYS = [new, old]
    with pytest.raises(CommandError, match="t_0_dropped"):
        call_command("rotate_encryption_keys")
    captured = capsys.readouterr()
    assert "t_0_dropped: the schema does not exist" in captured.err
    assert f"{tenant_a.schema_name}: 1 secret(s) re-encrypted" in captured.out
    assert f"{tenant_b.schema_name}: 1 secret(s) re-encrypted" in captured.out
    settings.FERNET_KEYS = [new]  # the old key is gone: the others' secrets still open
    with in_tenant(tenant_a):
        assert credential_api_key(ProviderCredential.objects.get()) == "sk-a-openai"
    with in_tenant(tenant_b):
        assert credential_api_key(ProviderCredential.objects.get()) == "sk-b-perplexity"


def test_it_rotates_only_ready_workspaces(fake_llm, settings, tenant_a, capsys):
    Tenant.objects.create(name="Half", subdomain="half-built", schema_name="t_half_built", state=Tenant.State.FAILED)
    call_command("rotate_encryption_keys")
    out = capsys.readouterr().out
    assert f"{tenant_a.schema_name}:" in out and "t_half_built" not in out


def test_it_checks_the_providers_of_every_other_workspace(
    fake_llm, dropped_tenant, tenant_a, tenant_b, in_tenant, credential, outsider, capsys
):
    with in_tenant(tenant_a):
        credential("openai", models=["gpt-4o"])
    with in_tenant(tenant_b):
        credential("openai", models=["gpt-4o"], user=outsider)
    with pytest.raises(CommandError):
        call_command("check_providers")
    out = capsys.readouterr().out
    assert "t_0_dropped: FAILED to read its providers" in out
    assert f"{tenant_a.schema_name} openai gpt-4o (workspace key): ok" in out
    assert f"{tenant_b.schema_name} openai gpt-4o (workspace key): ok" in out
