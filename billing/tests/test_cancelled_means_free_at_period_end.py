from datetime import timedelta

from django.utils import timezone

from billing import quotas
from billing.models import Plan, Subscription


def test_it_keeps_the_paid_limits_until_the_period_ends_then_applies_the_free_ones(tenant_a):
    now = timezone.now()
    Subscription.objects.filter(tenant=tenant_a).update(
        plan=Plan.objects.get(code="enterprise"),
        status=Subscription.Status.ACTIVE,
        cancel_at_period_end=True,
        current_period_start=now - timedelta(days=20),
        current_period_end=now + timedelta(days=10),
    )
    before = quotas.limits_for(schema=tenant_a.schema_name, now=now)
    assert (before.plan_code, before.question_limit) == ("enterprise", None)
    after = quotas.limits_for(schema=tenant_a.schema_name, now=now + timedelta(days=10, seconds=1))
    free = Plan.objects.get(code="free")
    assert (after.plan_code, after.question_limit) == ("free", free.question_limit)


def test_it_applies_the_free_limits_once_stripe_reports_the_cancellation(
    subscribed, fake_stripe, tenant_a, webhook, run_events
):
    sub_id = subscribed("enterprise")
    assert quotas.limits_for(schema=tenant_a.schema_name).question_limit is None
    webhook(fake_stripe, fake_stripe.cancel_now(sub_id))
    run_events()
    assert quotas.limits_for(schema=tenant_a.schema_name).plan_code == "free"
