"""The old hook name (tenants.middleware.tenant_cache_changed) still makes every process look tenants up again."""

from django.db import transaction

from tenants.middleware import tenant_cache_changed
from tenants.models import Tenant
from tenants.selectors import TENANTS


def test_it_bumps_the_tenant_token_after_a_queryset_update(tenant_client, tenant_a, django_capture_on_commit_callbacks):
    assert tenant_client(tenant_a).get("/accounts/login/").status_code == 200  # memoised as active
    before = TENANTS.version()
    with django_capture_on_commit_callbacks(execute=True):
        Tenant.objects.filter(pk=tenant_a.pk).update(is_active=False)  # no service, as billing does
        transaction.on_commit(tenant_cache_changed)
    assert TENANTS.version() != before
    assert tenant_client(tenant_a).get("/accounts/login/").status_code == 403
