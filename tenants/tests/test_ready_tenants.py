"""Every loop over tenants walks the same ones: built and in use, never public, the template or a signup."""

from django.conf import settings

from tenants.models import Tenant
from tenants.selectors import tenants_ready


def _make(name, state, **extra):
    return Tenant.objects.create(name=name, subdomain=name, schema_name=f"t_{name}", state=state, **extra)


def test_it_lists_ready_workspaces_suspended_ones_too(tenant_a, tenant_b):
    suspended = _make("sleepy", Tenant.State.READY, is_active=False)
    for state in (Tenant.State.PENDING, Tenant.State.PROVISIONING, Tenant.State.FAILED):
        _make(f"not-{state}", state)
    Tenant.objects.create(name="Template", schema_name=settings.TENANT_BASE_SCHEMA, state=Tenant.State.READY)
    schemas = list(tenants_ready().values_list("schema_name", flat=True))
    assert schemas == sorted([tenant_a.schema_name, tenant_b.schema_name, suspended.schema_name])
    assert "public" not in schemas and settings.TENANT_BASE_SCHEMA not in schemas


def test_it_leaves_suspended_workspaces_out_when_asked(tenant_a, tenant_b):
    _make("sleepy", Tenant.State.READY, is_active=False)
    schemas = set(tenants_ready(include_suspended=False).values_list("schema_name", flat=True))
    assert schemas == {tenant_a.schema_name, tenant_b.schema_name}
