"""The owner's confirmation opens the workspace on the next request, in every process (the tenant cache is bumped)."""

from tenants.models import Tenant
from tenants.selectors import TENANT_ROWS
from tenants.services import tenant_owner_confirm


def test_it_serves_the_workspace_right_after_the_owner_confirms(
    tenant_client, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    Tenant.objects.filter(pk=tenant_a.pk).update(owner_verified_at=None)
    assert tenant_client(tenant_a).get("/accounts/login/").status_code == 503  # memoised: not confirmed yet
    before = TENANT_ROWS.version(tenant_a.schema_name)
    with django_capture_on_commit_callbacks(execute=True):
        tenant_owner_confirm(tenant_id=tenant_a.pk, email="owner@a.example")
    assert TENANT_ROWS.version(tenant_a.schema_name) != before
    assert tenant_client(tenant_a).get("/accounts/login/").status_code == 200
    assert tenant_client(tenant_b).get("/accounts/login/").status_code == 200
