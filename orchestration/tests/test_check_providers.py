import pytest
from django.core.management import CommandError, call_command


def test_it_prints_a_status_line_per_configured_provider(fake_llm, tenant_a, in_tenant, credential, capsys):
    fake_llm.platform("anthropic")
    with in_tenant(tenant_a):
        credential("openai", models=["gpt-4o"])
    call_command("check_providers", schema=[tenant_a.schema_name])
    out = capsys.readouterr().out
    assert f"{tenant_a.schema_name} openai gpt-4o (workspace key): ok" in out
    assert f"{tenant_a.schema_name} anthropic claude-sonnet-4-6 (platform key): ok" in out


def test_it_checks_the_platform_keys(fake_llm, capsys):
    fake_llm.platform("openai", "perplexity")
    call_command("check_providers", platform=True)
    out = capsys.readouterr().out
    assert "platform openai gpt-4o (platform key): ok" in out
    assert "platform perplexity sonar (platform key): ok" in out


def test_it_reports_a_failing_provider_and_exits_non_zero(fake_llm, capsys):
    fake_llm.platform("openai")
    fake_llm.behave("gpt-4o", status=401)
    with pytest.raises(CommandError):
        call_command("check_providers", platform=True)
    assert "FAILED (auth)" in capsys.readouterr().out


def test_it_says_when_nothing_is_configured(fake_llm, capsys):
    call_command("check_providers", platform=True)
    assert "no provider configured" in capsys.readouterr().out
