"""The audit page: read-only for everyone, the tenant's own entries only, no access for members."""

import pytest

from core.audit.models import AppendOnly, AuditEntry
from core.audit.services import audit_record

LIST = "/admin/audit/auditentry/"


def _entry(tenant, in_tenant, marker):
    with in_tenant(tenant):
        return audit_record(action="change", object_type="test.Thing", actor_email=f"{marker}@example.test")


def test_it_shows_each_tenant_admin_only_their_entries(
    tenant_a, tenant_b, in_tenant, owner_client, tenant_client, outsider
):
    mine = _entry(tenant_a, in_tenant, "AAA-actor")
    _entry(tenant_b, in_tenant, "BBB-actor")
    page = owner_client.get(LIST).content.decode()
    assert "AAA-actor" in page and "BBB-actor" not in page
    assert owner_client.get(f"{LIST}?q=AAA").status_code == 200
    assert owner_client.get(f"{LIST}?action__exact=change").status_code == 200
    by_actor = owner_client.get(f"{LIST}?actor_email=AAA-actor@example.test").content.decode()
    assert "AAA-actor" in by_actor
    # B's admin (made one for the test) sees B's entry only, and A's entry is not found for them.
    with in_tenant(tenant_b):
        outsider.role = "admin"
        outsider.save()
    b_admin = tenant_client(tenant_b, outsider)
    page = b_admin.get(LIST).content.decode()
    assert "BBB-actor" in page and "AAA-actor" not in page
    # Ids are per schema: the same number opens B's own entry, never A's.
    detail = b_admin.get(f"{LIST}{mine.pk}/change/").content.decode()
    assert "AAA-actor" not in detail


def test_it_gives_members_no_access(tenant_a, in_tenant, member_client):
    _entry(tenant_a, in_tenant, "AAA-actor")
    response = member_client.get(LIST)
    assert response.status_code in (302, 403)
    assert "AAA-actor" not in response.content.decode()


def test_it_lets_nobody_edit_or_delete_an_entry(tenant_a, in_tenant, owner_client):
    entry = _entry(tenant_a, in_tenant, "AAA-actor")
    assert owner_client.get(f"{LIST}{entry.pk}/change/").status_code == 200  # view only
    owner_client.post(f"{LIST}{entry.pk}/change/", {"actor_email": "forged@example.test"})
    owner_client.post(f"{LIST}{entry.pk}/delete/", {"post": "yes"})
    assert owner_client.get(f"{LIST}add/").status_code == 403
    with in_tenant(tenant_a):
        entry.refresh_from_db()
        assert entry.actor_email == "AAA-actor@example.test"
        with pytest.raises(AppendOnly):
            entry.save()
        with pytest.raises(AppendOnly):
            AuditEntry.objects.filter(pk=entry.pk).update(actor_email="x")
        with pytest.raises(AppendOnly):
            AuditEntry.objects.filter(pk=entry.pk).delete()
        assert AuditEntry.objects.filter(pk=entry.pk, actor_email="AAA-actor@example.test").exists()
