import pytest
from django.utils import timezone

from billing import quotas
from billing.models import UsageTier
from billing.services import QuotaExceeded, quota_reserve, tier_assign, tier_save

from .helpers import set_used


def test_it_refuses_a_user_over_their_tier_and_not_the_others(tenant_a, owner, member):
    basic = tier_save(tenant=tenant_a, name="basic", monthly_questions=2)
    tier_assign(tenant=tenant_a, user_id=member.pk, user_email=member.email, tier=basic)
    quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)
    quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)
    with pytest.raises(QuotaExceeded) as refused:
        quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)
    assert refused.value.limit == quotas.Kind.USER_QUESTIONS
    assert "your own questions" in refused.value.message
    quota_reserve(schema=tenant_a.schema_name, user_id=owner.pk)  # no tier: only the plan's limits


def test_it_applies_the_default_tier_to_people_without_one(tenant_a, owner):
    tier_save(tenant=tenant_a, name="everyone", monthly_questions=1, is_default=True)
    quota_reserve(schema=tenant_a.schema_name, user_id=owner.pk)
    with pytest.raises(QuotaExceeded):
        quota_reserve(schema=tenant_a.schema_name, user_id=owner.pk)


def test_it_takes_nothing_from_the_workspace_when_the_user_is_refused(tenant_a, member):
    tier = tier_save(tenant=tenant_a, name="capped", monthly_questions=5)
    tier_assign(tenant=tenant_a, user_id=member.pk, user_email=member.email, tier=tier)
    set_used(tenant_a, quotas.Kind.USER_QUESTIONS, quotas.month_of(timezone.now()), 5, user_id=member.pk)
    limits = quotas.limits_for(schema=tenant_a.schema_name)
    with pytest.raises(QuotaExceeded):
        quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)
    assert quotas.counters_for(tenant_id=tenant_a.pk, limits=limits)[quotas.Kind.QUESTIONS] == 0


def test_it_lets_an_admin_define_and_assign_tiers_on_the_billing_page(owner_client, tenant_a, member, in_tenant):
    response = owner_client.post("/billing/tiers/", {"name": "premium", "monthly_questions": 200})
    assert response.status_code == 302
    tier = UsageTier.objects.get(tenant=tenant_a, name="premium")
    response = owner_client.post("/billing/tiers/assign/", {"user": str(member.pk), "tier": str(tier.pk)})
    assert response.status_code == 302
    assert quotas.limits_for(schema=tenant_a.schema_name, user_id=member.pk).user_questions == 200


def test_it_hides_another_workspaces_tiers(outsider_client, tenant_a, tenant_b):
    tier = tier_save(tenant=tenant_a, name="a-only", monthly_questions=3)
    response = outsider_client.post(f"/billing/tiers/{tier.pk}/delete/")
    assert response.status_code in (403, 404)
    assert UsageTier.objects.filter(pk=tier.pk).exists()
