"""check_providers makes no calls for a suspended workspace unless the operator names it."""

from django.core.management import call_command

from tenants.models import Tenant


def test_it_checks_a_suspended_workspace_only_when_named(fake_llm, tenant_a, tenant_b, in_tenant, credential, capsys):
    with in_tenant(tenant_a):
        credential("openai", models=["gpt-4o"])
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=False)
    call_command("check_providers")
    out = capsys.readouterr().out
    assert tenant_a.schema_name not in out and tenant_b.schema_name in out
    call_command("check_providers", schema=[tenant_a.schema_name])
    assert f"{tenant_a.schema_name} openai gpt-4o (workspace key): ok" in capsys.readouterr().out
