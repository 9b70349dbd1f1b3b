from django.contrib.auth import get_user_model
from django.test import Client

from core.audit.models import AuditEntry

LIST = "/admin/audit/auditentry/"


def test_it_records_operator_actions_in_the_public_schema(tenant_a, in_tenant, owner_client):
    operator = get_user_model().objects.create_superuser(email="op-audit@chorus.example", password="x-Y-z-12345678")
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator)
    response = client.post("/admin/tenants/tenant/", {"action": "suspend", "_selected_action": [str(tenant_a.pk)]})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="action", action_name="suspend")  # the public schema's table
    assert entry.actor_email == operator.email and entry.changes["selected"] == [str(tenant_a.pk)]
    assert "op-audit@chorus.example" in client.get(LIST).content.decode()
    # The tenant's own log has nothing of it, and its admins do not see the operators' log.
    with in_tenant(tenant_a):
        assert not AuditEntry.objects.filter(action_name="suspend").exists()
    assert "op-audit@chorus.example" not in owner_client.get(LIST).content.decode()
