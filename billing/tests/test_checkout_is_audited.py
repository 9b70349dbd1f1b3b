from core.audit.models import AuditEntry


def test_it_records_a_plan_change_started_by_a_tenant_admin(
    owner_client, owner, synced_plans, fake_stripe, tenant_a, in_tenant
):
    response = owner_client.post("/billing/checkout/", {"plan": "pro"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        entry = AuditEntry.objects.get(action_name="plan_checkout")
    assert entry.actor_id == owner.pk and entry.object_type == "billing.Plan" and entry.changes == {"plan": "pro"}
