from django.test import Client

from conftest import PASSWORD, host_of
from core.audit.models import AuditEntry


def test_it_records_admin_sign_ins_and_failures(tenant_a, tenant_b, in_tenant, owner):
    client = Client(HTTP_HOST=host_of(tenant_a))
    client.post("/admin/login/", {"username": owner.email, "password": "not-the-password"}, REMOTE_ADDR="127.0.0.9")
    client.post("/admin/login/", {"username": owner.email, "password": PASSWORD}, REMOTE_ADDR="127.0.0.9")
    with in_tenant(tenant_a):
        failed = AuditEntry.objects.get(action="login_failed")
        ok = AuditEntry.objects.get(action="login")
        everything = str(list(AuditEntry.objects.values()))
    assert failed.actor_email == owner.email and failed.actor_id is None and failed.ip == "127.0.0.9"
    assert ok.actor_id == owner.pk
    assert "not-the-password" not in everything and PASSWORD not in everything
    with in_tenant(tenant_b):
        assert not AuditEntry.objects.exists()
