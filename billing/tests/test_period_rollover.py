from datetime import UTC, datetime, timedelta

import pytest

from billing import quotas
from billing.models import Subscription
from billing.services import QuotaExceeded, quota_reserve

from .helpers import set_used

UTC = UTC


def test_it_starts_a_fresh_count_in_the_next_month_on_the_free_plan(tenant_a, member):
    now = datetime(2031, 1, 31, 23, 59, tzinfo=UTC)
    limits = quotas.limits_for(schema=tenant_a.schema_name, now=now)
    assert limits.period == quotas.Period(datetime(2031, 1, 1, tzinfo=UTC), datetime(2031, 2, 1, tzinfo=UTC))
    set_used(tenant_a, quotas.Kind.QUESTIONS, limits.period, limits.question_limit)
    with pytest.raises(QuotaExceeded) as refused:
        quota_reserve(schema=tenant_a.schema_name, user_id=member.pk, now=now)
    assert refused.value.reset_at == datetime(2031, 2, 1, tzinfo=UTC)
    quota_reserve(schema=tenant_a.schema_name, user_id=member.pk, now=datetime(2031, 2, 1, 0, 0, 1, tzinfo=UTC))


def test_it_follows_the_subscription_period_and_continues_it_when_a_renewal_is_late(tenant_a):
    start = datetime(2031, 5, 10, 8, tzinfo=UTC)
    Subscription.objects.filter(tenant=tenant_a).update(
        current_period_start=start, current_period_end=start + timedelta(days=30)
    )
    from billing.models import Plan

    Subscription.objects.filter(tenant=tenant_a).update(plan=Plan.objects.get(code="pro"))
    inside = quotas.limits_for(schema=tenant_a.schema_name, now=start + timedelta(days=3))
    assert inside.period.start == start
    late = quotas.limits_for(schema=tenant_a.schema_name, now=start + timedelta(days=31))
    assert late.period.start == start + timedelta(days=30)
    assert late.period.end == datetime(2031, 7, 9, 8, tzinfo=UTC)


def test_it_resets_the_daily_token_allowance_at_midnight(tenant_a, member):
    now = datetime(2031, 3, 3, 22, tzinfo=UTC)
    limits = quotas.limits_for(schema=tenant_a.schema_name, now=now)
    set_used(tenant_a, quotas.Kind.TOKENS_DAY, quotas.day_of(now), limits.token_limit_daily)
    with pytest.raises(QuotaExceeded) as refused:
        quota_reserve(schema=tenant_a.schema_name, user_id=member.pk, now=now)
    assert refused.value.limit == quotas.Kind.TOKENS_DAY
    assert refused.value.reset_at == datetime(2031, 3, 4, tzinfo=UTC)
    quota_reserve(schema=tenant_a.schema_name, user_id=member.pk, now=datetime(2031, 3, 4, 0, 1, tzinfo=UTC))
