from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Plan, Subscription
from billing.services import QuotaExceeded, quota_reserve


def _past_due(tenant, since):
    Subscription.objects.filter(tenant=tenant).update(
        plan=Plan.objects.get(code="pro"), status=Subscription.Status.PAST_DUE, past_due_since=since
    )


def test_it_keeps_a_past_due_workspace_usable_during_the_grace_period_with_a_banner(
    tenant_a, member, member_client, settings
):
    _past_due(tenant_a, timezone.now() - timedelta(days=settings.BILLING_GRACE_DAYS - 1))
    quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)
    page = member_client.get("/chat/").content.decode()
    assert 'data-billing-banner="past_due"' in page


def test_it_makes_the_workspace_read_only_after_the_grace_period(tenant_a, member, member_client, settings, in_tenant):
    from chat.models import Message

    _past_due(tenant_a, timezone.now() - timedelta(days=settings.BILLING_GRACE_DAYS, minutes=1))
    with pytest.raises(QuotaExceeded) as refused:
        quota_reserve(schema=tenant_a.schema_name, user_id=member.pk)
    assert refused.value.limit == "read_only"
    with in_tenant(tenant_a):
        before = Message.objects.count()
    response = member_client.post("/chat/new/", {"content": "Still there?"})
    assert response.status_code == 429
    assert "payment is overdue" in response.content.decode()
    assert 'data-billing-banner="read_only"' in member_client.get("/chat/").content.decode()
    with in_tenant(tenant_a):
        assert Message.objects.count() == before


def test_it_leaves_another_workspace_alone(tenant_a, tenant_b, outsider, settings):
    _past_due(tenant_a, timezone.now() - timedelta(days=settings.BILLING_GRACE_DAYS + 1))
    quota_reserve(schema=tenant_b.schema_name, user_id=outsider.pk)
