"""Changes made on /billing/ (outside the admin) are in the workspace's audit log (ADR 0011): tiers
added, assigned and deleted, and the plan changed on the return from Checkout — with who, what and
before/after. Tenant B's admin never sees them."""

from billing.models import UsageTier
from core.audit.models import AuditEntry

LIST = "/admin/audit/auditentry/"


def _entries(tenant, in_tenant, **filters):
    with in_tenant(tenant):
        return list(AuditEntry.objects.filter(**filters).order_by("id"))


def _b_admin(tenant_b, in_tenant, outsider, tenant_client):
    with in_tenant(tenant_b):
        outsider.role = "admin"
        outsider.save()
    return tenant_client(tenant_b, outsider)


def test_it_audits_tier_changes_on_the_billing_page(
    owner_client, owner, member, tenant_a, tenant_b, in_tenant, outsider, tenant_client
):
    assert owner_client.post("/billing/tiers/", {"name": "audited-tier", "monthly_questions": 7}).status_code == 302
    tier = UsageTier.objects.get(tenant=tenant_a, name="audited-tier")
    assign = {"user": str(member.pk), "tier": str(tier.pk)}
    assert owner_client.post("/billing/tiers/assign/", assign).status_code == 302
    assert owner_client.post(f"/billing/tiers/{tier.pk}/delete/").status_code == 302

    added, deleted = (
        _entries(tenant_a, in_tenant, object_type="billing.UsageTier", action=a)[0] for a in ("add", "delete")
    )
    assert added.actor_id == owner.pk and added.object_id == str(tier.pk) and added.ip == "127.0.0.1"
    assert added.changes["monthly_questions"] == {"before": None, "after": 7}
    assert deleted.changes["name"] == {"before": "audited-tier", "after": None}
    [assigned] = _entries(tenant_a, in_tenant, action_name="tier_assign")
    assert assigned.object_id == str(member.pk) and assigned.actor_email == owner.email
    assert assigned.changes == {"usage tier": {"before": "", "after": "audited-tier"}}

    page = owner_client.get(f"{LIST}?q=audited-tier").content.decode()
    assert "audited-tier" in page
    b_page = _b_admin(tenant_b, in_tenant, outsider, tenant_client).get(LIST).content.decode()
    assert "audited-tier" not in b_page and owner.email not in b_page
    assert _entries(tenant_b, in_tenant, object_type="billing.UsageTier") == []


def test_it_audits_nothing_for_an_outsiders_refused_change(outsider_client, tenant_a, tenant_b, in_tenant):
    tier = UsageTier.objects.create(tenant=tenant_a, name="a-only")
    assert outsider_client.post(f"/billing/tiers/{tier.pk}/delete/").status_code in (403, 404)
    assert UsageTier.objects.filter(pk=tier.pk).exists()
    assert _entries(tenant_a, in_tenant, object_type="billing.UsageTier") == []
    assert _entries(tenant_b, in_tenant, object_type="billing.UsageTier") == []


def test_it_audits_the_plan_change_on_the_return_from_checkout(
    owner_client, owner, synced_plans, fake_stripe, tenant_a, tenant_b, in_tenant, outsider, tenant_client
):
    response = owner_client.post("/billing/checkout/", {"plan": "pro"})
    session_id = response["Location"].rsplit("/", 1)[-1]
    fake_stripe.complete_checkout(session_id)
    owner_client.get(f"/billing/?checkout=success&session_id={session_id}")
    owner_client.get(f"/billing/?checkout=success&session_id={session_id}")  # a reload changes nothing
    [changed] = _entries(tenant_a, in_tenant, action_name="plan_change")
    assert changed.action == "change" and changed.actor_id == owner.pk
    assert changed.object_type == "billing.Subscription"
    assert changed.changes["plan"] == {"before": "free", "after": "pro"}
    assert "plan_change" in owner_client.get(LIST).content.decode()
    b_page = _b_admin(tenant_b, in_tenant, outsider, tenant_client).get(LIST).content.decode()
    assert "plan_change" not in b_page
