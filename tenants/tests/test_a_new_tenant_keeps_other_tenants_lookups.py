"""Provisioning a workspace makes processes read only that workspace's lookups again (issue 12 §6,
docs/SCALING.md §5): the other tenants' memoised host lookups stay, so a signup burst costs the
other tenants' requests no domain query. The new workspace's own lookups follow its state."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import Tenant
from tenants.selectors import tenant_for_hostname
from tenants.services import tenant_create, tenant_provision


def _lookup(hostname: str) -> tuple[Tenant, int]:
    with CaptureQueriesContext(connection) as ctx:
        tenant = tenant_for_hostname(hostname=hostname)
    return tenant, sum(not q["sql"].startswith("SET search_path") for q in ctx.captured_queries)


def test_it_keeps_the_other_tenants_lookups_while_one_is_provisioned(
    tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    _lookup(tenant_a.host())
    _lookup(tenant_b.host())
    with django_capture_on_commit_callbacks(execute=True):
        new = tenant_create(
            name="Burst",
            subdomain="signup-burst",
            owner_email="owner@signup-burst.example",
            owner_password="purple-otter-rides-42",
            provision=False,
        )
    pending, _queries = _lookup(new.host())
    assert pending.state == Tenant.State.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        tenant_provision(tenant_id=new.pk)
    connection.set_schema_to_public()

    assert _lookup(tenant_a.host()) == (tenant_a, 0)
    assert _lookup(tenant_b.host()) == (tenant_b, 0)
    ready, queries = _lookup(new.host())
    assert ready.state == Tenant.State.READY and queries == 1  # its own row read again, its host kept
